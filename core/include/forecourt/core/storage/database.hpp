// RAII over SQLite: a Database owns one connection and its cache of prepared
// statements; a Query borrows a cached statement and resets it when done.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "forecourt/core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace forecourt::storage {

enum class Synchronous { off, normal, full };

struct OpenOptions {
    std::string path;
    bool create = true;
    bool read_only = false;
    // Name of a registered SQLite VFS (e.g. the encrypting one); empty = the OS default.
    std::string vfs;
    bool wal = true;
    Synchronous synchronous = Synchronous::full;
    int busy_timeout_ms = 5000;
    // Bytes reserved at the end of every page when the file is created (for the
    // encrypting VFS's nonce and tag); 0 = none.
    int reserve_bytes = 0;
    // SQLite's page cache for this connection, in KiB; 0 = SQLite's default
    // (2 MiB). Pages are allocated as they are read, up to this bound.
    int cache_kib = 0;
};

class Statement;

class Database {
public:
    static Result<Database> open(const OpenOptions& options);

    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    // Runs one or more statements that return no rows.
    Status exec(std::string_view sql);
    // A prepared statement from this connection's cache (prepared on first use).
    Result<Statement*> cached(std::string_view sql);

    std::int64_t last_insert_rowid() const;
    int changes() const;
    Result<int> user_version();
    Status set_user_version(int version);
    const std::string& path() const { return path_; }
    sqlite3* handle() const { return db_; }

    // The connection's last error, as an Error with `context` prefixed.
    Error last_error(std::string_view context) const;

private:
    Database(sqlite3* db, std::string path);
    void close();
    // Cached statements report errors through their Database: after a move, this one.
    void adopt_statements();

    sqlite3* db_ = nullptr;
    std::string path_;
    std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// A prepared statement. Bind indexes are 1-based, column indexes 0-based.
class Statement {
public:
    Statement(sqlite3_stmt* stmt, Database& db) : stmt_(stmt), db_(&db) {}
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind_null(int index);
    // Text SQLite does not copy: the caller keeps it alive and unchanged until
    // the statement is reset (a Query's end).
    Statement& bind_unowned(int index, std::string_view value);
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }

    // true while a row is available, false when done.
    Result<bool> step();
    // Steps a statement that returns no rows.
    Status run();
    void reset();

    bool is_null(int column) const;
    std::int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    // The column's text without a copy; valid until the next step or reset.
    std::string_view text_view(int column) const;
    std::optional<std::string> opt_text(int column) const;
    std::optional<std::int64_t> opt_int64(int column) const;

private:
    friend class Database;
    sqlite3_stmt* stmt_;
    Database* db_;
};

// Borrows a cached statement for one use; resets it and clears its bindings on
// destruction, so the next user starts clean.
class Query {
public:
    static Result<Query> prepare(Database& db, std::string_view sql);
    Query(Query&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
    Query& operator=(Query&&) = delete;
    ~Query();
    Statement* operator->() { return stmt_; }
    Statement& operator*() { return *stmt_; }

private:
    explicit Query(Statement* stmt) : stmt_(stmt) {}
    Statement* stmt_;
};

// The first column of the first row of `sql` as an integer (0 when NULL); an
// error when the query fails or returns no row. For counts and checks.
Result<std::int64_t> query_int64(Database& db, std::string_view sql);

}  // namespace forecourt::storage
