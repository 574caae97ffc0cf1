// SQLite connection, statement cache and statement wrappers.
#include "forecourt/core/storage/database.hpp"

#include <sqlite3.h>

#include <cassert>
#include <utility>

#include "forecourt/core/crypto/cipher_vfs.hpp"

namespace forecourt::storage {
namespace {

const char* synchronous_pragma(Synchronous s) {
    switch (s) {
        case Synchronous::off: return "PRAGMA synchronous=OFF";
        case Synchronous::normal: return "PRAGMA synchronous=NORMAL";
        case Synchronous::full: return "PRAGMA synchronous=FULL";
    }
    return "PRAGMA synchronous=FULL";
}

ErrorCode code_for(int rc) {
    switch (rc & 0xff) {
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return ErrorCode::corrupt;
        case SQLITE_CONSTRAINT: return ErrorCode::invalid_argument;
        case SQLITE_AUTH: return ErrorCode::wrong_key;
        default: return ErrorCode::storage;
    }
}

// The encrypting VFS knows more than SQLite's message: which page failed, a
// wrong key, a truncated file. A plain open of an encrypted book says so too.
std::optional<Error> vfs_detail(sqlite3* db, int rc, const std::string& path) {
    if (auto failure = crypto::take_vfs_failure(db)) return failure;
    if ((rc & 0xff) == SQLITE_NOTADB &&
        crypto::inspect_database_file(path) == crypto::FileFormat::encrypted)
        return make_error(ErrorCode::wrong_key,
                          path + " is an encrypted book: open it with its key (passphrase)",
                          ErrorDomain::crypto);
    return std::nullopt;
}

}  // namespace

Database::Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      cache_(std::move(other.cache_)) {
    adopt_statements();
}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        close();
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
        cache_ = std::move(other.cache_);
        adopt_statements();
    }
    return *this;
}

void Database::adopt_statements() {
    for (auto& [sql, statement] : cache_) statement->db_ = this;
}

Database::~Database() { close(); }

void Database::close() {
    cache_.clear();  // statements must be finalized before the connection closes
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
}

Result<Database> Database::open(const OpenOptions& options) {
    int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(options.path.c_str(), &raw, flags,
                                   options.vfs.empty() ? nullptr : options.vfs.c_str());
    Database db(raw, options.path);
    if (rc != SQLITE_OK) {
        if (!raw) return make_error(ErrorCode::storage, "cannot open " + options.path, ErrorDomain::storage);
        return db.last_error("cannot open " + options.path);
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, options.busy_timeout_ms);
    if (options.reserve_bytes > 0) {
        int reserve = options.reserve_bytes;
        sqlite3_file_control(raw, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
    }
    // Reading the schema here makes a file that is not a database (or cannot be
    // decrypted) fail at open, not at the first query.
    if (options.cache_kib > 0) FC_TRY(db.exec("PRAGMA cache_size=-" + std::to_string(options.cache_kib)));
    FC_TRY(db.exec("PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=ON; SELECT count(*) FROM sqlite_schema"));
    if (!options.read_only) {
        if (options.wal) FC_TRY(db.exec("PRAGMA journal_mode=WAL"));
        FC_TRY(db.exec(synchronous_pragma(options.synchronous)));
    }
    return db;
}

Status Database::exec(std::string_view sql) {
    std::string owned(sql);
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        if (auto detail = vfs_detail(db_, rc, path_)) return *detail;
        return make_error(code_for(sqlite3_extended_errcode(db_)), path_ + ": " + text, ErrorDomain::storage);
    }
    return ok_status();
}

Result<Statement*> Database::cached(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second.get();
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return last_error("cannot prepare statement");
    auto owned = std::make_unique<Statement>(stmt, *this);
    Statement* raw = owned.get();
    cache_.emplace(std::move(key), std::move(owned));
    return raw;
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Result<int> Database::user_version() {
    FC_ASSIGN(auto q, Query::prepare(*this, "PRAGMA user_version"));
    FC_ASSIGN(bool row, q->step());
    return row ? static_cast<int>(q->int64(0)) : 0;
}

Status Database::set_user_version(int version) {
    return exec("PRAGMA user_version=" + std::to_string(version));
}

Error Database::last_error(std::string_view context) const {
    const int rc = sqlite3_extended_errcode(db_);
    std::string message(context);
    message += ": ";
    message += sqlite3_errmsg(db_);
    if (auto detail = vfs_detail(db_, rc, path_)) return *detail;
    return make_error(code_for(rc), std::move(message), ErrorDomain::storage);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
    [[maybe_unused]] int rc = sqlite3_bind_int64(stmt_, index, value);
    assert(rc == SQLITE_OK);
    return *this;
}

Statement& Statement::bind(int index, double value) {
    [[maybe_unused]] int rc = sqlite3_bind_double(stmt_, index, value);
    assert(rc == SQLITE_OK);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    [[maybe_unused]] int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(),
                                                  SQLITE_TRANSIENT, SQLITE_UTF8);
    assert(rc == SQLITE_OK);
    return *this;
}

Statement& Statement::bind_unowned(int index, std::string_view value) {
    [[maybe_unused]] int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(),
                                                  SQLITE_STATIC, SQLITE_UTF8);
    assert(rc == SQLITE_OK);
    return *this;
}

Statement& Statement::bind_null(int index) {
    [[maybe_unused]] int rc = sqlite3_bind_null(stmt_, index);
    assert(rc == SQLITE_OK);
    return *this;
}

Result<bool> Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Error error = db_->last_error("statement failed");
    sqlite3_reset(stmt_);
    return error;
}

Status Statement::run() {
    FC_ASSIGN(bool row, step());
    (void)row;
    return ok_status();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    const int n = sqlite3_column_bytes(stmt_, column);
    return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

std::string_view Statement::text_view(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    const int n = sqlite3_column_bytes(stmt_, column);
    return p ? std::string_view(p, static_cast<std::size_t>(n)) : std::string_view();
}

std::optional<std::string> Statement::opt_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
}

std::optional<std::int64_t> Statement::opt_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
}

Result<Query> Query::prepare(Database& db, std::string_view sql) {
    FC_ASSIGN(Statement* stmt, db.cached(sql));
    return Query(stmt);
}

Query::~Query() {
    if (stmt_) stmt_->reset();
}

Result<std::int64_t> query_int64(Database& db, std::string_view sql) {
    FC_ASSIGN(auto query, Query::prepare(db, sql));
    FC_ASSIGN(bool row, query->step());
    if (!row) return make_error(ErrorCode::not_found, "the query returned no row: " + std::string(sql));
    return query->int64(0);
}

}  // namespace forecourt::storage
