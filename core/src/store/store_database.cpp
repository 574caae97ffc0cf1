// Creating and opening the store server's database; its identity, clock and admin token.
#include "forecourt/core/store/store_database.hpp"

#include <filesystem>

#include "forecourt/core/storage/batched_wal_vfs.hpp"
#include "forecourt/core/uuid.hpp"
#include "secret_hash.hpp"

namespace forecourt::store {

using storage::Query;

storage::OpenOptions connection_options(const StoreOptions& options, bool create) {
    storage::OpenOptions o;
    o.path = options.path;
    o.create = create;
    // A pushed batch's commit writes its WAL frames in a few calls, not two a frame.
    o.vfs = options.vfs.empty() ? storage::batched_wal_vfs() : options.vfs;
    o.synchronous = options.synchronous;
    o.cache_kib = options.cache_kib;
    return o;
}

namespace {

constexpr std::string_view kAdminPrefix = "admin.";

Result<storage::Database> open_database(const StoreOptions& options, bool create) {
    FC_ASSIGN(auto db, storage::Database::open(connection_options(options, create)));
    // Never in the writer's commit: start_checkpoints() runs them beside it.
    FC_TRY(db.exec("PRAGMA wal_autocheckpoint=0"));
    return db;
}

Status put_meta(storage::Database& db, std::string_view key, const std::string& value) {
    FC_ASSIGN(auto q, Query::prepare(db, "INSERT INTO store_meta (key, value) VALUES (?, ?) "
                                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    q->bind(1, key).bind(2, value);
    return q->run();
}

Result<std::optional<std::string>> get_meta(storage::Database& db, std::string_view key) {
    FC_ASSIGN(auto q, Query::prepare(db, "SELECT value FROM store_meta WHERE key = ?"));
    q->bind(1, key);
    FC_ASSIGN(bool row, q->step());
    if (!row) return std::optional<std::string>{};
    return std::optional<std::string>{q->text(0)};
}

}  // namespace

StoreDatabase::StoreDatabase(storage::Database db, const StoreOptions& options)
    : db_(std::move(db)),
      options_(options),
      clock_(options.clock),
      hlc_(*options.clock),
      records_(db_),
      devices_(db_),
      log_(db_),
      journal_(db_),
      scope_(db_),
      snapshot_(db_) {}

StoreDatabase::~StoreDatabase() = default;

Result<std::unique_ptr<StoreDatabase>> StoreDatabase::create(const StoreOptions& options,
                                                             const std::string& store_name) {
    std::error_code ec;
    if (std::filesystem::exists(options.path, ec))
        return make_error(ErrorCode::already_exists,
                          "a store database already exists at " + options.path + "; open it instead");
    if (store_name.empty()) return make_error(ErrorCode::invalid_argument, "the store's name is required");
    FC_ASSIGN(auto db, open_database(options, true));
    FC_TRY(storage::migrate(db, store_migrations()));
    const auto now = options.clock->now_ms();
    {
        FC_ASSIGN(auto tx, storage::Transaction::begin(db));
        FC_TRY(put_meta(db, "store_id", new_uuid_v7(now)));
        FC_TRY(put_meta(db, "replica_id", new_uuid_v7(now)));
        FC_TRY(put_meta(db, "name", store_name));
        FC_TRY(put_meta(db, "created_at", std::to_string(now)));
        FC_TRY(tx.commit());
    }
    std::unique_ptr<StoreDatabase> store(new StoreDatabase(std::move(db), options));
    FC_TRY(store->load_identity());
    FC_TRY(store->start_checkpoints());
    return store;
}

Result<std::unique_ptr<StoreDatabase>> StoreDatabase::open(const StoreOptions& options) {
    std::error_code ec;
    if (!std::filesystem::exists(options.path, ec))
        return make_error(ErrorCode::not_found,
                          "no store database at " + options.path + "; create one first (server init)");
    FC_ASSIGN(auto db, open_database(options, false));
    FC_TRY(storage::migrate(db, store_migrations()));
    std::unique_ptr<StoreDatabase> store(new StoreDatabase(std::move(db), options));
    FC_TRY(store->load_identity());
    FC_TRY(store->start_checkpoints());
    return store;
}

Status StoreDatabase::load_identity() {
    FC_ASSIGN(auto store_id, get_meta(db_, "store_id"));
    FC_ASSIGN(auto replica_id, get_meta(db_, "replica_id"));
    FC_ASSIGN(auto name, get_meta(db_, "name"));
    FC_ASSIGN(auto hlc, get_meta(db_, "hlc"));
    if (!store_id || !replica_id)
        return make_error(ErrorCode::corrupt, db_.path() + " is not a Forecourt store database",
                          ErrorDomain::storage);
    identity_ = StoreIdentity{*store_id, *replica_id, name.value_or("")};
    if (hlc) hlc_ = HybridClock(*clock_, Hlc{std::stoull(*hlc)});
    return ok_status();
}

Status StoreDatabase::start_checkpoints() {
    if (options_.wal_autocheckpoint_pages <= 0) return ok_status();
    FC_ASSIGN(checkpointer_, WalCheckpointer::start(db_, connection_options(options_, false),
                                                    options_.wal_autocheckpoint_pages));
    return ok_status();
}

Status StoreDatabase::save_clock(storage::Transaction& tx) {
    (void)tx;
    return put_meta(db_, "hlc", std::to_string(hlc_.last().packed));
}

Result<std::string> StoreDatabase::issue_admin_token(storage::Transaction& tx) {
    (void)tx;
    const std::string secret = detail::new_secret();
    FC_TRY(put_meta(db_, "admin_token_hash", detail::hash_secret(secret)));
    return std::string(kAdminPrefix) + secret;
}

Result<bool> StoreDatabase::check_admin_token(std::string_view token) {
    if (!token.starts_with(kAdminPrefix)) return false;
    FC_ASSIGN(auto stored, get_meta(db_, "admin_token_hash"));
    if (!stored) return false;
    return detail::same_hash(detail::hash_secret(token.substr(kAdminPrefix.size())), *stored);
}

}  // namespace forecourt::store
