// The book fixture and the one place tests get book options from.
#include "book_fixture.hpp"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

#include "forecourt/core/crypto/book_vault.hpp"

namespace forecourt::testing {
namespace {

std::vector<std::string> table_names(storage::Database& db) {
    auto q = must(storage::Query::prepare(
        db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"));
    std::vector<std::string> names;
    while (must(q->step())) names.push_back(q->text(0));
    return names;
}

// Every row of one table, one line each; NULL is told apart from the text "NULL".
std::string dump_table(storage::Database& db, const std::string& table) {
    sqlite3_stmt* stmt = nullptr;
    const std::string sql = "SELECT * FROM \"" + table + "\" ORDER BY 1";
    if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
        throw std::runtime_error("cannot read table " + table + ": " + sqlite3_errmsg(db.handle()));
    std::string out = "[" + table + "]\n";
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
            out += text ? "'" + std::string(text) + "'" : std::string("NULL");
            out += '|';
        }
        out += '\n';
    }
    sqlite3_finalize(stmt);
    return out;
}

// The encrypted variant: the book's key file is created on first use of a
// path and unlocked on every later one, with a passphrase store at the minimum
// Argon2id cost so the suite stays fast.
BookOptions encrypted_book_options(BookOptions options) {
    static platform::PassphraseKeyStore keys("fixture passphrase", platform::KdfLimits::minimum());
    const bool has_key = std::filesystem::exists(crypto::BookFiles::of(options.path).key);
    auto ready = has_key ? crypto::unlock_book(std::move(options), keys)
                         : crypto::prepare_encrypted_book(std::move(options), keys);
    return must(std::move(ready), "preparing the encrypted book");
}

}  // namespace

std::string book_variant() {
    const char* value = std::getenv("FORECOURT_TEST_BOOK");
    return value && *value ? std::string(value) : std::string("plain");
}

BookOptions book_options(const std::string& path, const platform::Clock& clock) {
    BookOptions options;
    options.path = path;
    options.clock = &clock;
    const std::string variant = book_variant();
    if (variant == "plain") return options;
    if (variant == "encrypted") return encrypted_book_options(std::move(options));
    throw std::runtime_error("FORECOURT_TEST_BOOK=" + variant +
                             " is not a book variant these tests can run (known: plain, encrypted)");
}

RawDatabase open_raw_database(const std::string& path) {
    BookOptions book = book_options(path, platform::system_clock());
    storage::OpenOptions options;
    options.path = path;
    options.vfs = book.vfs;
    options.reserve_bytes = book.reserve_bytes;
    options.synchronous = book.synchronous;
    auto db = must(storage::Database::open(options), "opening " + path);
    return RawDatabase{std::move(book), std::move(db)};
}

ContactInput contact_input(const std::string& customer_id, std::string kind, std::string purpose,
                           std::optional<std::string> outcome) {
    ContactInput c;
    c.customer_id = customer_id;
    c.kind = std::move(kind);
    c.purpose = std::move(purpose);
    c.outcome = std::move(outcome);
    return c;
}

FollowUpInput follow_up_input(const std::string& customer_id, std::string due, std::string kind,
                              std::string purpose) {
    FollowUpInput f;
    f.customer_id = customer_id;
    f.due = std::move(due);
    f.kind = std::move(kind);
    f.purpose = std::move(purpose);
    return f;
}

platform::EpochMs local_ms(model::Date day, int hour, int minute) {
    return day.start_ms(kChinaOffsetMinutes) + (hour * 60 + minute) * 60'000LL;
}

BookFixture::BookFixture(BookSetup setup)
    : clock_(local_ms(setup.day, setup.hour), kChinaOffsetMinutes),
      rules_(setup.rules),
      path_(dir_.file("book.db")) {
    book_ = must(Book::create(options(), NewBook{setup.consultant, "", "store-1"}),
                 "creating the book");
}

BookFixture::~BookFixture() = default;

BookOptions BookFixture::options() const {
    BookOptions options = book_options(path_, clock_);
    if (rules_) options.rules = rules_;
    return options;
}

Book& BookFixture::book() {
    if (!book_) throw std::logic_error("the fixture's book is closed");
    return *book_;
}

void BookFixture::set_local(model::Date day, int hour, int minute) {
    clock_.set(local_ms(day, hour, minute));
}

void BookFixture::close() {
    book_.reset();
}

void BookFixture::reopen() {
    close();
    book_ = must(Book::open(options()), "reopening the book");
}

std::set<std::string> field_names(const OutboxRow& row) {
    std::set<std::string> out;
    for (const auto& [field, change] : row.fields.items()) out.insert(field);
    return out;
}

std::vector<OutboxRow> BookFixture::outbox() {
    auto q = must(storage::Query::prepare(
        book().db(), "SELECT seq, tbl, record_id, hlc, fields FROM outbox ORDER BY seq"));
    std::vector<OutboxRow> rows;
    while (must(q->step())) {
        rows.push_back(OutboxRow{q->int64(0), q->text(1), q->text(2),
                                 static_cast<std::uint64_t>(q->int64(3)),
                                 nlohmann::json::parse(q->text(4))});
    }
    return rows;
}

std::int64_t BookFixture::count(std::string_view table) {
    auto q = must(storage::Query::prepare(book().db(),
                                          "SELECT count(*) FROM \"" + std::string(table) + "\""));
    must(q->step());
    return q->int64(0);
}

std::string BookFixture::dump() {
    std::string out;
    for (const auto& table : table_names(book().db())) out += dump_table(book().db(), table);
    return out;
}

std::string BookFixture::add_prospect(const std::string& name, const std::string& phone,
                                      const std::string& grade) {
    ProspectInput input;
    input.name = name;
    if (!phone.empty()) input.phones = {phone};
    input.grade = grade;
    input.source = "walk_in";
    return must(book().register_prospect(input), "registering " + name);
}

}  // namespace forecourt::testing
