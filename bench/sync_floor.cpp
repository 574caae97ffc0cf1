// The plain-SQLite floor of the sync benchmark (see sync_floor.hpp).
#include "sync_floor.hpp"

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <variant>
#include <vector>

#include "bench_util.hpp"
#include "forecourt/core/model/record_schema.hpp"

namespace forecourt::bench {
namespace {

using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

struct TableRows {
    std::string name;
    std::string create_sql;
    std::vector<std::string> index_sql;
    int columns = 0;
    std::vector<std::vector<Value>> rows;
};

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtCloser {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

Error sqlite_error(sqlite3* db, const std::string& what) {
    return make_error(ErrorCode::storage, what + ": " + sqlite3_errmsg(db));
}

Result<Db> open_db(const std::string& path, int flags) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) return sqlite_error(db.get(), "open " + path);
    return db;
}

Result<Stmt> prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
        return sqlite_error(db, "prepare " + sql);
    return Stmt(raw);
}

Status exec(sqlite3* db, const std::string& sql) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, sql);
    return ok_status();
}

Value column_value(sqlite3_stmt* s, int i) {
    switch (sqlite3_column_type(s, i)) {
        case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(s, i));
        case SQLITE_FLOAT: return sqlite3_column_double(s, i);
        case SQLITE_NULL: return nullptr;
        default:
            return std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, i)),
                               static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
    }
}

Result<TableRows> read_table(sqlite3* db, std::string_view name) {
    TableRows t;
    t.name = std::string(name);
    FC_ASSIGN(auto schema, prepare(db, "SELECT type, sql FROM sqlite_master WHERE tbl_name = '" +
                                           t.name + "' AND sql IS NOT NULL"));
    while (sqlite3_step(schema.get()) == SQLITE_ROW) {
        const std::string type = reinterpret_cast<const char*>(sqlite3_column_text(schema.get(), 0));
        std::string sql = reinterpret_cast<const char*>(sqlite3_column_text(schema.get(), 1));
        (type == "table" ? t.create_sql : t.index_sql.emplace_back()) = std::move(sql);
    }
    FC_ASSIGN(auto rows, prepare(db, "SELECT * FROM " + t.name));
    t.columns = sqlite3_column_count(rows.get());
    while (sqlite3_step(rows.get()) == SQLITE_ROW) {
        auto& row = t.rows.emplace_back();
        for (int i = 0; i < t.columns; ++i) row.push_back(column_value(rows.get(), i));
    }
    return t;
}

void bind(sqlite3_stmt* s, int i, const Value& v) {
    if (auto* n = std::get_if<std::int64_t>(&v)) sqlite3_bind_int64(s, i, *n);
    else if (auto* d = std::get_if<double>(&v)) sqlite3_bind_double(s, i, *d);
    else if (auto* text = std::get_if<std::string>(&v))
        sqlite3_bind_text(s, i, text->data(), static_cast<int>(text->size()), SQLITE_STATIC);
    else sqlite3_bind_null(s, i);
}

Status insert_all(sqlite3* db, const std::vector<TableRows>& tables) {
    FC_TRY(exec(db, "BEGIN"));
    for (const auto& t : tables) {
        std::string sql = "INSERT INTO " + t.name + " VALUES (";
        for (int i = 0; i < t.columns; ++i) sql += i ? ",?" : "?";
        FC_ASSIGN(auto insert, prepare(db, sql + ")"));
        for (const auto& row : t.rows) {
            for (int i = 0; i < t.columns; ++i) bind(insert.get(), i + 1, row[static_cast<std::size_t>(i)]);
            if (sqlite3_step(insert.get()) != SQLITE_DONE) return sqlite_error(db, "insert");
            sqlite3_reset(insert.get());
        }
    }
    return exec(db, "COMMIT");
}

}  // namespace

Result<FloorResult> measure_floor(const std::string& book_path, const std::string& floor_path) {
    std::vector<TableRows> tables;
    FloorResult result;
    {
        FC_ASSIGN(auto book, open_db(book_path, SQLITE_OPEN_READONLY));
        for (const auto& spec : model::synced_tables()) {
            FC_ASSIGN(auto t, read_table(book.get(), spec.name));
            result.records += t.rows.size();
            tables.push_back(std::move(t));
        }
    }
    FC_ASSIGN(auto floor, open_db(floor_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
    FC_TRY(exec(floor.get(), "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL"));
    for (const auto& t : tables) {
        FC_TRY(exec(floor.get(), t.create_sql));
        for (const auto& index : t.index_sql) FC_TRY(exec(floor.get(), index));
    }
    const auto start = std::chrono::steady_clock::now();
    FC_TRY(insert_all(floor.get(), tables));
    result.us = elapsed_us(start);
    return result;
}

}  // namespace forecourt::bench
