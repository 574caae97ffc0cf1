// Books for tests: a temp dir, a manual clock on China time and a consultant's
// book, created with the options of the variant this run tests (FORECOURT_TEST_BOOK).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/book.hpp"
#include "forecourt/core/model/date.hpp"
#include "forecourt/core/storage/database.hpp"
#include "forecourt/platform/clock.hpp"
#include "temp_dir.hpp"

namespace forecourt::testing {

// Minutes east of UTC of the stores the tests simulate (China Standard Time).
constexpr int kChinaOffsetMinutes = 480;

// The book variant this run tests: FORECOURT_TEST_BOOK, "plain" when unset.
std::string book_variant();

// Options for a book at `path` read on `clock`, for this run's variant. Every
// test gets its book options here, so the whole suite runs unchanged against
// each variant. Throws for a variant it does not know, so a misspelt or not
// yet supported variant fails every book test instead of silently testing plain.
BookOptions book_options(const std::string& path, const platform::Clock& clock);

// A database file opened by hand the way book_options opens books (same VFS,
// same page reserve), for tests that build or inspect files below the Book
// API. It holds the variant's options, so whatever they keep alive for the
// VFS outlives the connection.
struct RawDatabase {
    BookOptions options;
    storage::Database db;
};
RawDatabase open_raw_database(const std::string& path);

// The value of a setup step that must succeed; throws with the error otherwise.
template <typename T>
T must(Result<T> result, std::string_view what = "setup step") {
    if (!result.ok())
        throw std::runtime_error(std::string(what) + " failed: " + result.error().describe());
    return std::move(result).value();
}

// A contact with a customer, its optional details unset.
ContactInput contact_input(const std::string& customer_id, std::string kind, std::string purpose,
                           std::optional<std::string> outcome = std::nullopt);
// A follow-up planned for a customer on `due`.
FollowUpInput follow_up_input(const std::string& customer_id, std::string due,
                              std::string kind = "phone_call",
                              std::string purpose = "promote_deal");

// The local instant (UTC+8) of a time of day.
platform::EpochMs local_ms(model::Date day, int hour = 10, int minute = 0);

// One row of the outbox exactly as stored.
struct OutboxRow {
    std::int64_t seq = 0;
    std::string table;
    std::string record_id;
    std::uint64_t hlc = 0;
    nlohmann::json fields;  // field -> {"value": ..., "base": "hlc@replica" | null}
};

// The fields an outbox row sets.
std::set<std::string> field_names(const OutboxRow& row);

struct BookSetup {
    model::Date day = model::Date::from_ymd(2025, 11, 20);
    int hour = 10;
    std::string consultant = "李娜";
    const rules::AgendaRules* rules = nullptr;  // nullptr: the store's standard rules
};

// A consultant's new book in a temp dir, on a ManualClock at setup.day/hour local time.
class BookFixture {
  public:
    BookFixture() : BookFixture(BookSetup{}) {}
    explicit BookFixture(BookSetup setup);
    ~BookFixture();
    BookFixture(const BookFixture&) = delete;
    BookFixture& operator=(const BookFixture&) = delete;

    Book& book();
    Book* operator->() { return &book(); }
    platform::ManualClock& clock() { return clock_; }
    const std::string& path() const { return path_; }
    const TempDir& dir() const { return dir_; }
    // The options this fixture opens its book with.
    BookOptions options() const;

    void set_local(model::Date day, int hour = 10, int minute = 0);
    model::Date today() const { return model::Date::today(clock_); }

    // Closes the book, then opens the same file again (as after an app restart).
    void reopen();
    void close();

    // Raw outbox rows, oldest first.
    std::vector<OutboxRow> outbox();
    std::int64_t count(std::string_view table);
    // Every row of every table as text: equal dumps mean nothing was written.
    std::string dump();

    // Registers a prospect from a walk-in; returns its id.
    std::string add_prospect(const std::string& name, const std::string& phone,
                             const std::string& grade = "C");

  private:
    TempDir dir_;
    platform::ManualClock clock_;
    const rules::AgendaRules* rules_;
    std::string path_;
    std::unique_ptr<Book> book_;
};

}  // namespace forecourt::testing
