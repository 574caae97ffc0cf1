// Opening a reader of the store's database.
#include "forecourt/core/store/store_reader.hpp"

#include "forecourt/core/store/store_database.hpp"

namespace forecourt::store {

StoreReader::StoreReader(storage::Database db) : db_(std::move(db)), log_(db_), snapshot_(db_) {}

Result<std::unique_ptr<StoreReader>> StoreReader::open(const StoreOptions& options) {
    // Pages are allocated as they are read, up to the store's cache bound.
    // SQLite drops a reader's cached pages whenever another connection has
    // committed since its last read, which on a busy store is nearly every time.
    FC_ASSIGN(auto db, storage::Database::open(connection_options(options, false)));
    FC_TRY(db.exec("PRAGMA query_only=1"));  // a reader never writes, whatever a bug asks
    return std::unique_ptr<StoreReader>(new StoreReader(std::move(db)));
}

}  // namespace forecourt::store
