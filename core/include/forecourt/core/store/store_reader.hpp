// A second connection to the store's database that only reads: the change log
// and the scope snapshots that pulls page through. In WAL mode it reads while
// the one writer connection (StoreDatabase) applies other devices' pushes; a
// read transaction sees every commit made before it began, and no later one.
// One thread at a time per reader.
#pragma once

#include <memory>

#include "forecourt/core/storage/database.hpp"
#include "forecourt/core/store/change_log.hpp"
#include "forecourt/core/store/scope_snapshot.hpp"

namespace forecourt::store {

struct StoreOptions;

// What a pull reads its page from: the change log and the scope snapshots of
// one connection to the store's file, a reader's or (while it holds the
// store's lock) the writer's own. Used by one thread at a time.
class ReadView {
public:
    ReadView(storage::Database& db, ChangeLog& log, ScopeSnapshot& snapshot)
        : db_(&db), log_(&log), snapshot_(&snapshot) {}

    ChangeLog& log() { return *log_; }
    ScopeSnapshot& snapshot() { return *snapshot_; }

    // One read transaction: what `read` reads comes from one state of the
    // store. The connection must not be in a transaction already.
    template <typename Read>
    auto in_one_read(Read&& read) -> decltype(read()) {
        if (auto begun = db_->exec("BEGIN"); !begun.ok()) return begun.take_error();
        auto result = read();
        (void)db_->exec("COMMIT");  // a read transaction has nothing to lose
        return result;
    }

private:
    storage::Database* db_;
    ChangeLog* log_;
    ScopeSnapshot* snapshot_;
};

class StoreReader {
public:
    // Opens a reader on an existing store database (StoreDatabase::open migrates it first).
    static Result<std::unique_ptr<StoreReader>> open(const StoreOptions& options);

    StoreReader(const StoreReader&) = delete;
    StoreReader& operator=(const StoreReader&) = delete;

    ReadView view() { return ReadView(db_, log_, snapshot_); }

private:
    explicit StoreReader(storage::Database db);

    storage::Database db_;
    ChangeLog log_;
    ScopeSnapshot snapshot_;
};

}  // namespace forecourt::store
