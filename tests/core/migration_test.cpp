// Schema migrations: a book written by any earlier version opens with its data
// intact, and a book written by a newer version is refused and left untouched.
#include <doctest/doctest.h>

#include <array>
#include <fstream>
#include <iterator>

#include "book_fixture.hpp"
#include "checks.hpp"
#include "forecourt/core/storage/schema.hpp"

using namespace forecourt;
using storage::Database;
using testing::must;

namespace {

const model::Date kDay = model::Date::from_ymd(2025, 11, 20);
const std::string kReplica = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
const std::string kConsultant = "0190a1b2-0000-7000-8000-00000000c001";
// Ahead of the tablet's clock: the old book's clock must carry on from it.
const Hlc kOldHlc = Hlc::from_parts(1'763'700'000'000, 3);

std::string version_json(std::initializer_list<const char*> fields) {
    nlohmann::json v = nlohmann::json::object();
    for (const char* f : fields) v[f] = Version{kOldHlc, kReplica}.to_string();
    return v.dump();
}

struct SeedRow {
    const char* table;
    std::string sql;
};

std::string book_meta_sql() {
    std::string sql = "INSERT INTO book_meta VALUES ";
    sql += "('replica_id', '" + kReplica + "'), ('store_id', 'store-1'), ";
    sql += "('consultant_id', '" + kConsultant + "'), ('consultant_name', '李娜'), ";
    sql += "('hlc', '" + std::to_string(kOldHlc.packed) + "')";
    return sql;
}

// What an older version of the app had written: the book's identity, a
// prospect, a base customer with a car, an event...
std::vector<SeedRow> customer_rows() {
    const std::string common = "'store-1', '" + kConsultant + "', ";
    return {
        {"book_meta", book_meta_sql()},
        {"customers",
         "INSERT INTO customers (id, store_id, owner_id, versions, kind, name, phones, grade, "
         "status, source, budget, models_of_interest, birthday, created_at) VALUES ('c-wang', " +
             common + "'" + version_json({"kind", "name", "phones", "grade", "status"}) +
             "', 'prospect', '王伟', '[\"13800138000\"]', 'B', 'active', 'walk_in', 200000, "
             "'[\"Camry\"]', '1988-06-01', 1763600000000)"},
        {"customers",
         "INSERT INTO customers (id, store_id, owner_id, versions, kind, name, phones, status, "
         "created_at, closed_at) VALUES ('c-li', " +
             common +
             "'{}', 'base', '李强', '[\"02162345678\"]', 'won', 1763000000000, 1763500000000)"},
        {"vehicles",
         "INSERT INTO vehicles (id, store_id, owner_id, customer_id, model, vin) VALUES "
         "('v-1', " +
             common + "'c-li', 'Camry 2.5', 'LVGBE40K8GG123456')"},
        {"events",
         "INSERT INTO events (id, store_id, owner_id, name, kind, date, models) VALUES "
         "('e-1', " +
             common + "'Mall test drive', 'test_drive', '2025-11-15', '[\"Camry\"]')"},
    };
}

// ...the prospect's history, reference data, the phone index and unsynced changes.
std::vector<SeedRow> history_rows() {
    const std::string common = "'store-1', '" + kConsultant + "', ";
    return {
        {"follow_ups",
         "INSERT INTO follow_ups (id, store_id, owner_id, customer_id, consultant_id, due, "
         "kind, purpose, status) VALUES ('f-1', " +
             common + "'c-wang', '" + kConsultant +
             "', '2025-11-19', 'phone_call', 'promote_deal', 'open')"},
        {"contacts",
         "INSERT INTO contacts (id, store_id, owner_id, customer_id, consultant_id, at, kind, "
         "purpose, outcome) VALUES ('k-1', " +
             common + "'c-wang', '" + kConsultant +
             "', 1763600000000, 'walk_in', 'collect_info', 'likes the Camry')"},
        {"test_drives",
         "INSERT INTO test_drives (id, store_id, owner_id, customer_id, consultant_id, "
         "event_id, model, licence_checked, started_at, interest) VALUES ('t-1', " +
             common + "'c-wang', '" + kConsultant + "', 'e-1', 'Camry', 1, 1763200000000, 4)"},
        {"grade_changes",
         "INSERT INTO grade_changes (id, store_id, owner_id, customer_id, consultant_id, "
         "at, from_grade, to_grade, reason) VALUES ('g-1', " +
             common + "'c-wang', '" + kConsultant +
             "', 1763100000000, NULL, 'B', 'registered (walk_in)')"},
        {"consultants", "INSERT INTO consultants (id, store_id, name, role, active) VALUES ('" +
                            kConsultant + "', 'store-1', '李娜', 'consultant', 1)"},
        {"vehicle_models",
         "INSERT INTO vehicle_models (id, store_id, name, brand) VALUES "
         "('m-1', 'store-1', 'Camry', 'Toyota')"},
        {"customer_phones",
         "INSERT INTO customer_phones VALUES ('13800138000', 'c-wang'), "
         "('02162345678', 'c-li')"},
        {"outbox",
         "INSERT INTO outbox (tbl, record_id, hlc, fields) VALUES ('customers', 'c-wang', " +
             std::to_string(kOldHlc.packed) + ", '{\"name\":{\"value\":\"王伟\",\"base\":null}}')"},
    };
}

std::vector<SeedRow> seed_rows() {
    auto rows = customer_rows();
    for (auto& row : history_rows()) rows.push_back(std::move(row));
    return rows;
}

bool has_table(Database& db, const char* table) {
    auto q = must(storage::Query::prepare(
        db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?"));
    q->bind(1, table);
    return must(q->step());
}

// Builds a book file as the version with schema `k` left it; true if it had an outbox.
bool write_old_book(const std::string& path, int k) {
    auto raw = testing::open_raw_database(path);
    auto& db = raw.db;
    FC_REQUIRE_OK(storage::migrate(db, storage::book_migrations(), k));
    REQUIRE(must(db.user_version()) == k);
    for (const auto& row : seed_rows())
        if (has_table(db, row.table)) FC_REQUIRE_OK(db.exec(row.sql));
    return has_table(db, "outbox");
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void check_upgraded_book(Book& book, bool had_outbox) {
    CHECK(must(book.db().user_version()) == storage::latest_book_version());
    CHECK(book.identity().replica_id == kReplica);
    CHECK(book.identity().consultant_name == "李娜");
    auto wang = must(book.card("c-wang"));
    CHECK(wang.customer.name == "王伟");
    CHECK(wang.customer.grade == "B");
    CHECK(wang.customer.budget == 200000);
    CHECK(wang.customer.models_of_interest == std::vector<std::string>{"Camry"});
    CHECK(wang.customer.birthday == "1988-06-01");
    CHECK(wang.contacts.size() == 1);
    CHECK(wang.test_drives.size() == 1);
    CHECK(wang.grade_changes.size() == 1);
    REQUIRE(wang.follow_ups.size() == 1);
    CHECK(wang.follow_ups[0].status == "open");
    auto li = must(book.card("c-li"));
    REQUIRE(li.vehicles.size() == 1);
    CHECK(li.vehicles[0].vin == "LVGBE40K8GG123456");
    CHECK(must(book.events()).size() == 1);
    // Search works for customers recorded before the search index existed.
    auto by_phone = must(book.find("+86 138 0013 8000"));
    REQUIRE(by_phone.size() == 1);
    CHECK(by_phone[0].id == "c-wang");
    CHECK(must(book.find("021-6234-5678")).size() == 1);
    CHECK(must(book.agenda(kDay)).follow_ups.size() == 1);
    CHECK(must(book.changes().pending_count()) == (had_outbox ? 1 : 0));
}

}  // namespace

TEST_CASE("migration: a book from every earlier schema version opens with its data intact") {
    const int latest = storage::latest_book_version();
    REQUIRE(latest >= 1);
    for (int k = 1; k < latest; ++k) {
        CAPTURE(k);
        testing::TempDir dir;
        const std::string path = dir.file("old.db");
        const bool had_outbox = write_old_book(path, k);
        platform::ManualClock clock(testing::local_ms(kDay), testing::kChinaOffsetMinutes);
        auto book = Book::open(testing::book_options(path, clock));
        FC_REQUIRE_OK(book);
        check_upgraded_book(**book, had_outbox);
        // The first write after the upgrade continues the old versions and clock.
        const auto before = must((*book)->changes().pending_count());
        FC_REQUIRE_OK((*book)->edit_card("c-wang", {{"name", "王伟强"}}));
        auto pending = must((*book)->changes().pending(0, 100));
        REQUIRE(static_cast<std::int64_t>(pending.size()) == before + 1);
        const auto& change = pending.back();
        CHECK(change.hlc > kOldHlc);
        REQUIRE(change.fields.size() == 1);
        CHECK(change.fields[0].base == Version{kOldHlc, kReplica});
    }
}

TEST_CASE("migration: a book whose outbox had drained goes on numbering after its last change") {
    // Until version 9 the outbox's numbering lived in sqlite_sequence; the
    // store has seen seqs 1-3 of this tablet, so the next change must be 4.
    testing::TempDir dir;
    const std::string path = dir.file("old.db");
    REQUIRE(write_old_book(path, 8));
    {
        auto raw = testing::open_raw_database(path);
        const std::string row = "INSERT INTO outbox (tbl, record_id, hlc, fields) VALUES ('customers', 'c-wang', " +
                                std::to_string(kOldHlc.packed) + ", '{\"grade\":{\"value\":\"A\",\"base\":null}}')";
        FC_REQUIRE_OK(raw.db.exec(row + "; " + row));
        REQUIRE(must(storage::query_int64(raw.db, "SELECT max(seq) FROM outbox")) == 3);
        FC_REQUIRE_OK(raw.db.exec("DELETE FROM outbox"));
    }
    platform::ManualClock clock(testing::local_ms(kDay), testing::kChinaOffsetMinutes);
    auto book = Book::open(testing::book_options(path, clock));
    FC_REQUIRE_OK(book);
    CHECK(must((*book)->changes().pending_count()) == 0);
    FC_REQUIRE_OK((*book)->edit_card("c-wang", {{"company", "Acme"}}));
    auto pending = must((*book)->changes().pending(0, 10));
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].seq == 4);
}

TEST_CASE("migration: an empty file is brought to the latest schema with every synced field") {
    testing::TempDir dir;
    auto raw = testing::open_raw_database(dir.file("new.db"));
    auto& db = raw.db;
    REQUIRE(must(db.user_version()) == 0);
    FC_REQUIRE_OK(storage::migrate(db, storage::book_migrations()));
    CHECK(must(db.user_version()) == storage::latest_book_version());
    for (const auto& table : model::synced_tables()) {
        std::string sql = "SELECT id, store_id, owner_id, versions";
        for (const auto& f : table.fields) sql += ", " + std::string(f.name);
        sql += " FROM " + std::string(table.name);
        CAPTURE(sql);
        FC_CHECK_OK(storage::Query::prepare(db, sql));
    }
    CHECK(has_table(db, "outbox"));
    CHECK(has_table(db, "customer_phones"));
}

TEST_CASE(
    "migration: a book from a newer Forecourt is refused with schema_too_new and left "
    "byte-identical") {
    testing::BookFixture fx;
    fx.add_prospect("王伟", "13800138000");
    const auto options = fx.options();
    fx.close();
    {
        auto raw = testing::open_raw_database(fx.path());
        FC_REQUIRE_OK(raw.db.set_user_version(storage::latest_book_version() + 1));
    }
    const std::string before = file_bytes(fx.path());
    REQUIRE_FALSE(before.empty());
    FC_CHECK_FAILS(Book::open(options), ErrorCode::schema_too_new, "upgrade Forecourt");
    CHECK(file_bytes(fx.path()) == before);
    auto raw = testing::open_raw_database(fx.path());
    auto& db = raw.db;
    FC_CHECK_FAILS(storage::migrate(db, storage::book_migrations()), ErrorCode::schema_too_new,
                   std::to_string(storage::latest_book_version() + 1));
    CHECK(must(db.user_version()) == storage::latest_book_version() + 1);
}

TEST_CASE("migration: reopening an up-to-date book changes nothing") {
    testing::BookFixture fx;
    fx.add_prospect("王伟", "13800138000");
    const std::string before = fx.dump();
    fx.reopen();
    CHECK(fx.dump() == before);
}

TEST_CASE("migration: a migration that fails leaves the book at the last good version") {
    static constexpr std::array kMigrations{
        storage::Migration{1, "a table", "CREATE TABLE visits (id TEXT PRIMARY KEY);"},
        storage::Migration{2, "a broken step",
                           "CREATE TABLE notes (id TEXT); CREATE TABLE visits (x);"},
    };
    testing::TempDir dir;
    auto raw = testing::open_raw_database(dir.file("m.db"));
    auto& db = raw.db;
    auto status = storage::migrate(db, kMigrations);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message.find("visits") != std::string::npos);
    CHECK(must(db.user_version()) == 1);
    CHECK(has_table(db, "visits"));
    CHECK_FALSE(has_table(db, "notes"));
}
