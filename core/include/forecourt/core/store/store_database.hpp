// The store server's database: the same synced tables as a consultant's book
// (so records and their history are read by the same code), plus the server's
// own tables: devices, enrolment codes, the change log, conflicts, the review
// queue and the audit log. One connection, used by one thread at a time; pulls
// may page through the log on readers of the same file (open_reader).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "forecourt/core/hlc.hpp"
#include "forecourt/core/storage/database.hpp"
#include "forecourt/core/storage/record_store.hpp"
#include "forecourt/core/storage/schema.hpp"
#include "forecourt/core/store/change_log.hpp"
#include "forecourt/core/store/device_registry.hpp"
#include "forecourt/core/store/record_scope.hpp"
#include "forecourt/core/store/scope_snapshot.hpp"
#include "forecourt/core/store/store_journal.hpp"
#include "forecourt/core/store/store_reader.hpp"
#include "forecourt/core/store/wal_checkpointer.hpp"

namespace forecourt::store {

struct StoreOptions {
    std::string path;  // the store's database file
    const platform::Clock* clock = &platform::system_clock();
    std::string vfs;  // SQLite VFS (empty: the OS default, WAL writes batched: batched_wal_vfs.hpp)
    storage::Synchronous synchronous = storage::Synchronous::full;
    // SQLite's page cache, in KiB. The store serves every tablet of the
    // dealership from one file; the change log's indexes and the hot
    // records should stay in memory (SQLite's default is 2 MiB).
    int cache_kib = 64 * 1024;
    // WAL pages written before they are copied back into the database file
    // (SQLite's default is 1,000), on a thread of the store's own, beside the
    // writer (wal_checkpointer.hpp); 0 or less: never. A pushed batch of 500
    // changes dirties about 1,000 pages, so at SQLite's default nearly every
    // batch ended in a checkpoint that wrote the same hot pages again;
    // 10,000 (a WAL of about 40 MB) copies each of them once per many batches.
    int wal_autocheckpoint_pages = 10'000;
};

// How each connection to the store's file is opened (the writer and its readers).
storage::OpenOptions connection_options(const StoreOptions& options, bool create);

// Who this store is. The replica id stamps values the server writes itself.
struct StoreIdentity {
    std::string store_id;
    std::string replica_id;
    std::string name;
};

// Every migration of the store's database, oldest first. The first two are the
// book's own synced-table migrations, so both sides always agree on them.
std::span<const storage::Migration> store_migrations();

class StoreDatabase {
public:
    // Creates a new store database at options.path; fails if a file exists there.
    static Result<std::unique_ptr<StoreDatabase>> create(const StoreOptions& options,
                                                         const std::string& store_name);
    static Result<std::unique_ptr<StoreDatabase>> open(const StoreOptions& options);
    ~StoreDatabase();

    const StoreIdentity& identity() const { return identity_; }
    storage::Database& db() { return db_; }
    storage::RecordStore& records() { return records_; }
    DeviceRegistry& devices() { return devices_; }
    ChangeLog& log() { return log_; }
    StoreJournal& journal() { return journal_; }
    RecordScope& scope() { return scope_; }
    ScopeSnapshot& snapshot() { return snapshot_; }
    HybridClock& hlc() { return hlc_; }
    const platform::Clock& clock() const { return *clock_; }

    // WAL checkpoints run beside the writer so far (none: checkpoints are off).
    int checkpoints() const { return checkpointer_ ? checkpointer_->checkpoints() : 0; }

    // A new reading connection to this store's file (see store_reader.hpp).
    Result<std::unique_ptr<StoreReader>> open_reader() const { return StoreReader::open(options_); }
    // This connection read as a reader's is (outside any transaction of its own).
    ReadView read_view() { return ReadView(db_, log_, snapshot_); }

    // Persists the server's HLC in the caller's transaction, so it never runs
    // backwards across restarts.
    Status save_clock(storage::Transaction& tx);

    // A new admin token (replacing any previous one); only its hash is kept.
    Result<std::string> issue_admin_token(storage::Transaction& tx);
    // True when `token` is the current admin token (constant-time comparison).
    Result<bool> check_admin_token(std::string_view token);

private:
    StoreDatabase(storage::Database db, const StoreOptions& options);
    Status load_identity();
    Status start_checkpoints();

    storage::Database db_;
    StoreOptions options_;
    const platform::Clock* clock_;
    HybridClock hlc_;
    storage::RecordStore records_;
    DeviceRegistry devices_;
    ChangeLog log_;
    StoreJournal journal_;
    RecordScope scope_;
    ScopeSnapshot snapshot_;
    StoreIdentity identity_;
    std::unique_ptr<WalCheckpointer> checkpointer_;  // stopped before db_ closes
};

}  // namespace forecourt::store
