// The SQLite RAII wrappers: transactions roll back unless committed, cached
// statements are reused and handed out clean, and SQL errors come back as Errors.
#include <doctest/doctest.h>

#include <stdexcept>

#include "book_fixture.hpp"
#include "checks.hpp"
#include "forecourt/core/storage/transaction.hpp"

using namespace forecourt;
using storage::Database;
using storage::Query;
using storage::Transaction;
using testing::must;

namespace {

testing::RawDatabase open_scratch(const testing::TempDir& dir) {
    auto scratch = testing::open_raw_database(dir.file("scratch.db"));
    must(scratch.db.exec("CREATE TABLE visits (id INTEGER PRIMARY KEY, who TEXT NOT NULL UNIQUE)"));
    return scratch;
}

std::int64_t visit_count(Database& db) {
    auto q = must(Query::prepare(db, "SELECT count(*) FROM visits"));
    must(q->step());
    return q->int64(0);
}

Status insert_visit(Database& db, const std::string& who) {
    FC_ASSIGN(auto q, Query::prepare(db, "INSERT INTO visits (who) VALUES (?)"));
    q->bind(1, who);
    return q->run();
}

}  // namespace

TEST_CASE("transaction: a transaction that is not committed rolls back") {
    testing::TempDir dir;
    auto scratch = open_scratch(dir);
    auto& db = scratch.db;
    {
        auto tx = must(Transaction::begin(db));
        must(insert_visit(db, "王伟"));
        CHECK(visit_count(db) == 1);
    }
    CHECK(visit_count(db) == 0);
    auto tx = must(Transaction::begin(db));
    must(insert_visit(db, "王芳"));
    tx.rollback();
    CHECK_FALSE(tx.is_open());
    CHECK(visit_count(db) == 0);
}

TEST_CASE("transaction: an exception unwinding through a transaction rolls it back") {
    testing::TempDir dir;
    auto scratch = open_scratch(dir);
    auto& db = scratch.db;
    auto failing_write = [&] {
        auto tx = must(Transaction::begin(db));
        must(insert_visit(db, "王伟"));
        throw std::runtime_error("the app crashed half way");
    };
    CHECK_THROWS_AS(failing_write(), std::runtime_error);
    CHECK(visit_count(db) == 0);
    // The connection is usable again: no transaction was left open.
    auto tx = Transaction::begin(db);
    FC_REQUIRE_OK(tx);
    must(insert_visit(db, "王芳"));
    FC_CHECK_OK(tx->commit());
    CHECK(visit_count(db) == 1);
}

TEST_CASE("transaction: a committed transaction persists across reopening the file") {
    testing::TempDir dir;
    {
        auto scratch = open_scratch(dir);
        auto& db = scratch.db;
        auto tx = must(Transaction::begin(db));
        must(insert_visit(db, "李娜"));
        FC_REQUIRE_OK(tx.commit());
        CHECK_FALSE(tx.is_open());
        FC_CHECK_FAILS(tx.commit(), ErrorCode::invalid_state, "already ended");
    }
    auto reopened = testing::open_raw_database(dir.file("scratch.db"));
    auto& db = reopened.db;
    CHECK(visit_count(db) == 1);
}

TEST_CASE("transaction: a second write transaction on the same connection is an Error") {
    testing::TempDir dir;
    auto scratch = open_scratch(dir);
    auto& db = scratch.db;
    auto outer = must(Transaction::begin(db));
    auto inner = Transaction::begin(db);
    REQUIRE_FALSE(inner.ok());
    CHECK(inner.error().domain == ErrorDomain::storage);
    CHECK(inner.error().message.find("transaction") != std::string::npos);
    CHECK(outer.is_open());
}

TEST_CASE("statement cache: the same SQL gives the same prepared statement") {
    testing::TempDir dir;
    auto scratch = open_scratch(dir);
    auto& db = scratch.db;
    auto first = db.cached("SELECT who FROM visits WHERE id = ?");
    auto again = db.cached("SELECT who FROM visits WHERE id = ?");
    auto other = db.cached("SELECT id FROM visits WHERE who = ?");
    FC_REQUIRE_OK(first);
    FC_REQUIRE_OK(again);
    FC_REQUIRE_OK(other);
    CHECK(*first == *again);
    CHECK(*first != *other);
}

TEST_CASE("query: the next use of a cached statement starts with no bindings") {
    testing::TempDir dir;
    auto scratch = open_scratch(dir);
    auto& db = scratch.db;
    {
        auto q = must(Query::prepare(db, "SELECT ?1"));
        q->bind(1, std::int64_t{42});
        REQUIRE(must(q->step()));
        CHECK(q->int64(0) == 42);
    }
    auto q = must(Query::prepare(db, "SELECT ?1"));
    REQUIRE(must(q->step()));
    CHECK(q->is_null(0));
}

TEST_CASE("query: a statement abandoned half way is read from its first row next time") {
    testing::TempDir dir;
    auto scratch = open_scratch(dir);
    auto& db = scratch.db;
    for (const char* who : {"王伟", "王芳", "李娜"}) must(insert_visit(db, who));
    const char* sql = "SELECT who FROM visits ORDER BY id";
    {
        auto q = must(Query::prepare(db, sql));
        REQUIRE(must(q->step()));
        REQUIRE(must(q->step()));
        CHECK(q->text(0) == "王芳");
    }
    auto q = must(Query::prepare(db, sql));
    REQUIRE(must(q->step()));
    CHECK(q->text(0) == "王伟");
    // An unfinished read does not hold the database: a write transaction still commits.
    auto tx = must(Transaction::begin(db));
    must(insert_visit(db, "张磊"));
    FC_CHECK_OK(tx.commit());
}

TEST_CASE("database: bad SQL comes back as an Error, never an exception") {
    testing::TempDir dir;
    auto scratch = open_scratch(dir);
    auto& db = scratch.db;
    Status exec = ok_status();
    CHECK_NOTHROW(exec = db.exec("SELEKT * FROM visits"));
    REQUIRE_FALSE(exec.ok());
    CHECK(exec.error().domain == ErrorDomain::storage);
    CHECK(exec.error().message.find("syntax error") != std::string::npos);

    auto missing = db.cached("SELECT * FROM no_such_table");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::storage);
    CHECK(missing.error().message.find("no_such_table") != std::string::npos);
    CHECK_FALSE(Query::prepare(db, "SELECT FROM WHERE").ok());
}

TEST_CASE(
    "statement: a constraint violation is an invalid_argument Error and the statement is "
    "reusable") {
    testing::TempDir dir;
    auto scratch = open_scratch(dir);
    auto& db = scratch.db;
    FC_REQUIRE_OK(insert_visit(db, "王伟"));
    FC_CHECK_FAILS(insert_visit(db, "王伟"), ErrorCode::invalid_argument,
                   "UNIQUE constraint failed");
    FC_CHECK_OK(insert_visit(db, "王芳"));
    CHECK(visit_count(db) == 2);
}

TEST_CASE("statement: errors are reported correctly after the database has been moved") {
    testing::TempDir dir;
    auto scratch = open_scratch(dir);
    FC_REQUIRE_OK(insert_visit(scratch.db, "王伟"));  // prepares and caches the insert
    Database moved = std::move(scratch.db);
    FC_CHECK_FAILS(insert_visit(moved, "王伟"), ErrorCode::invalid_argument,
                   "UNIQUE constraint failed");
}

TEST_CASE("database: user_version reads back what was set") {
    testing::TempDir dir;
    auto scratch = open_scratch(dir);
    auto& db = scratch.db;
    CHECK(must(db.user_version()) == 0);
    FC_REQUIRE_OK(db.set_user_version(7));
    CHECK(must(db.user_version()) == 7);
}
