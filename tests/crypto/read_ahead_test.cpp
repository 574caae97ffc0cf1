// Pages opened ahead of a scan on a helper thread: used for scans, not
// started by point lookups, never stale while other connections write and
// checkpoint, and never hiding a tampered page.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "book_fixture.hpp"
#include "checks.hpp"
#include "crypto_support.hpp"
#include "forecourt/core/crypto/cipher_vfs.hpp"
#include "forecourt/core/storage/database.hpp"
#include "forecourt/core/storage/transaction.hpp"

using namespace forecourt;
using namespace forecourt::testing;

namespace {

constexpr int kRows = 4'000;
constexpr int kPageSize = 4096;

crypto::ReadAheadCounters counters(storage::Database& db) {
    auto c = crypto::read_ahead_counters(db.handle());
    REQUIRE(c.has_value());
    return *c;
}

// kRows rows of about 300 bytes (rows, an index on a text key, and a second
// table written alongside so the rows' pages are not consecutive in the file).
void fill(storage::Database& db) {
    auto tx = must(storage::Transaction::begin(db));
    FC_REQUIRE_OK(db.exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, k TEXT, pad TEXT);"
                          "CREATE TABLE other (id INTEGER PRIMARY KEY, pad TEXT);"
                          "CREATE INDEX rows_by_k ON rows(k);"));
    auto row = must(storage::Query::prepare(db, "INSERT INTO rows (id, k, pad) VALUES (?, ?, ?)"));
    auto other = must(storage::Query::prepare(db, "INSERT INTO other (id, pad) VALUES (?, ?)"));
    for (int i = 1; i <= kRows; ++i) {
        row->bind(1, i).bind(2, "key-" + std::to_string(i * 7919 % kRows)).bind(3, std::string(280, 'a' + i % 26));
        FC_REQUIRE_OK(row->run());
        row->reset();
        other->bind(1, i).bind(2, std::string(200, 'z'));
        FC_REQUIRE_OK(other->run());
        other->reset();
    }
    FC_REQUIRE_OK(tx.commit());
}

// unhurried(x) is x, after the calling thread has slept 20 µs: a scan that
// calls it on each row gives its core away often, so the helper thread runs
// ahead even when every core is busy (as under `ctest -j`), where it
// otherwise might not run at all before the scan ends. What the scan reads,
// and in what order, is the same.
void add_unhurried(storage::Database& db) {
    auto unhurried = [](sqlite3_context* context, int, sqlite3_value** argv) {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
        sqlite3_result_value(context, argv[0]);
    };
    REQUIRE(sqlite3_create_function(db.handle(), "unhurried", 1, SQLITE_UTF8, nullptr, unhurried, nullptr,
                                    nullptr) == SQLITE_OK);
}

}  // namespace

TEST_CASE("read ahead: a scan is served from pages opened ahead; point lookups start nothing") {
    SealedDatabase s;
    {
        auto db = s.open();
        fill(db);
        FC_REQUIRE_OK(db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    }
    // Whether the helper thread runs in time is up to the scheduler (on a
    // loaded machine it may not run at all during one scan), so the scan is
    // unhurried and repeated, each on a new connection, until pages opened ahead served it;
    // what the caller asks for does not depend on timing and is checked every time.
    const std::int64_t pages = [&] {
        auto db = s.open();
        return scalar(db, "SELECT count(*) FROM dbstat WHERE name = 'rows'");
    }();
    CAPTURE(pages);
    crypto::ReadAheadCounters scan;
    for (int attempt = 0; attempt < 50 && scan.taken == 0; ++attempt) {
        auto db = s.open();  // an empty page cache: every page comes through the VFS
        add_unhurried(db);
        auto q = must(storage::Query::prepare(db, "SELECT count(*), sum(length(unhurried(pad))) FROM rows"));
        REQUIRE(must(q->step()));
        REQUIRE(q->int64(0) == kRows);
        REQUIRE(q->int64(1) == std::int64_t{kRows} * 280);
        scan = counters(db);
        CAPTURE(scan.plans);
        REQUIRE(scan.plans > static_cast<std::uint64_t>(pages) / 2);  // the scan asked ahead all along
        REQUIRE(scan.taken <= scan.opened);
    }
    // How many it serves is for the benchmark to say (forecourt-bench
    // encryption, the cold scan); here: that the pages it serves are used.
    CAPTURE(scan.opened);
    CAPTURE(scan.taken);
    CHECK(scan.taken > 0);
    {
        auto db = s.open();
        std::mt19937 random(11);
        std::int64_t found = 0;
        for (int i = 0; i < 200; ++i)
            found += scalar(db, "SELECT count(*) FROM rows WHERE id = " + std::to_string(1 + random() % kRows));
        CHECK(found == 200);
        // About 150 leaves read; a scan asks once per page read.
        const auto lookups = counters(db);
        CAPTURE(lookups.plans);
        CAPTURE(lookups.opened);
        CHECK(lookups.plans <= 2);  // a chance neighbour or two
        CHECK(lookups.opened <= 62);
    }
}

namespace {

constexpr int kAccounts = 3'000;

void open_accounts(const SealedDatabase& s) {
    auto db = s.open();
    auto tx = must(storage::Transaction::begin(db));
    FC_REQUIRE_OK(db.exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER, pad TEXT)"));
    auto q = must(storage::Query::prepare(db, "INSERT INTO accounts VALUES (?, 100, ?)"));
    for (int i = 1; i <= kAccounts; ++i) {
        q->bind(1, i).bind(2, std::string(300, 'p'));
        FC_REQUIRE_OK(q->run());
        q->reset();
    }
    FC_REQUIRE_OK(tx.commit());
}

// Another connection, on its own thread, moving money between random
// accounts (rewriting both rows) and checkpointing every fifth commit. No
// doctest assertions on that thread: its failure is kept for the test's.
class MoneyMover {
public:
    explicit MoneyMover(const SealedDatabase& s) : thread_([this, options = s.options()] { run(options); }) {}
    ~MoneyMover() { stop(); }
    // Stops the thread; what went wrong on it, empty if nothing did.
    std::string stop() {
        stop_.store(true);
        if (thread_.joinable()) thread_.join();
        return error_;
    }
    int commits() const { return commits_.load(); }

private:
    void run(const storage::OpenOptions& options) {
        auto db = storage::Database::open(options);
        std::mt19937 random(5);
        while (db.ok() && error_.empty() && !stop_.load()) {
            if (auto moved = move_once(*db, random); !moved.ok()) error_ = moved.error().describe();
        }
        if (!db.ok()) error_ = db.error().describe();
    }
    Status move_once(storage::Database& db, std::mt19937& random) {
        FC_ASSIGN(auto tx, storage::Transaction::begin(db));
        FC_ASSIGN(auto move, storage::Query::prepare(
                                 db, "UPDATE accounts SET balance = balance + ?2, pad = ?3 WHERE id = ?1"));
        const int amount = static_cast<int>(random() % 50);
        const std::string pad(300, static_cast<char>('a' + random() % 26));
        for (int side = 0; side < 2; ++side) {
            move->bind(1, 1 + static_cast<int>(random() % kAccounts)).bind(2, side == 0 ? -amount : amount).bind(3, pad);
            FC_TRY(move->run());
            move->reset();
        }
        FC_TRY(tx.commit());
        if (++commits_ % 5 == 0) FC_TRY(db.exec("PRAGMA wal_checkpoint(PASSIVE)"));
        return ok_status();
    }

    std::atomic<bool> stop_{false};
    std::atomic<int> commits_{0};
    std::string error_;
    std::thread thread_;  // last: starts once the rest is built
};

// What a scan of the accounts saw wrong (empty: the total and count hold).
std::string scan_wrong(storage::Database& db) {
    auto q = storage::Query::prepare(db, "SELECT sum(balance), count(*) FROM accounts");
    if (!q.ok()) return q.error().describe();
    auto row = (*q)->step();
    if (!row.ok()) return row.error().describe();
    if (!*row) return "no row";
    if ((*q)->int64(0) != 100 * kAccounts || (*q)->int64(1) != kAccounts)
        return "a total of " + std::to_string((*q)->int64(0)) + " in " + std::to_string((*q)->int64(1)) + " accounts";
    return {};
}

}  // namespace

TEST_CASE("read ahead: scans stay consistent while another connection writes and checkpoints") {
    // Every scan, each in its own read transaction, must see the total
    // unchanged. The reader's page cache is tiny, so it reads the database
    // file again and again while the mover's checkpoints rewrite it: a page
    // opened ahead in another transaction and used in this one would show a
    // total that never existed. It scans for at least 1.5 s, and on until
    // pages opened ahead were used (the helper's timing is the scheduler's).
    SealedDatabase s;
    open_accounts(s);
    MoneyMover mover(s);
    auto reader = s.open(true, 64);  // a 64-KiB page cache: 16 pages
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    const auto give_up = until + std::chrono::seconds(20);
    auto done = [&] {
        const auto now = std::chrono::steady_clock::now();
        return now >= give_up || (now >= until && counters(reader).taken > 0);
    };
    int scans = 0;
    std::string wrong;  // what the first wrong scan saw
    while (wrong.empty() && !done()) {
        if (auto seen = scan_wrong(reader); !seen.empty()) wrong = "scan " + std::to_string(scans) + " saw " + seen;
        ++scans;
    }
    const std::string mover_error = mover.stop();
    CHECK_MESSAGE(wrong.empty(), wrong);
    CHECK_MESSAGE(mover_error.empty(), mover_error);
    CAPTURE(scans);
    CAPTURE(mover.commits());
    CHECK(mover.commits() > 10);
    CHECK(counters(reader).taken > 0);  // the scans did use pages opened ahead
    auto check = must(storage::Query::prepare(reader, "PRAGMA integrity_check"));
    REQUIRE(must(check->step()));
    CHECK(check->text(0) == "ok");
}

TEST_CASE("read ahead: a tampered page in the middle of a scan is still reported by number") {
    SealedDatabase s;
    std::int64_t victim = 0;
    {
        auto db = s.open();
        fill(db);
        FC_REQUIRE_OK(db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
        // A leaf of `rows` half-way through the scan's order.
        victim = scalar(db, "SELECT pageno FROM dbstat WHERE name = 'rows' AND pagetype = 'leaf' "
                            "ORDER BY path LIMIT 1 OFFSET 60");
    }
    REQUIRE(victim > 1);
    const std::string path = s.dir.file("sealed.db");
    auto bytes = read_bytes(path);
    bytes.at(static_cast<std::size_t>((victim - 1) * kPageSize + 1000)) ^= 0x40;
    write_bytes(path, bytes);
    // Repeated on new connections until pages before the victim were opened
    // ahead (the helper's timing is still the scheduler's, though the
    // unhurried scan leaves it room); each must fail alike.
    std::uint64_t taken = 0;
    for (int attempt = 0; attempt < 50 && taken == 0; ++attempt) {
        auto db = s.open();
        add_unhurried(db);
        auto q = must(storage::Query::prepare(db, "SELECT sum(length(unhurried(pad))) FROM rows"));
        auto stepped = q->step();
        REQUIRE_FALSE(stepped.ok());
        CAPTURE(stepped.error().message);
        REQUIRE(stepped.error().code == ErrorCode::tampered);
        REQUIRE(stepped.error().message.find("page " + std::to_string(victim) + " ") != std::string::npos);
        REQUIRE(counters(db).plans > 0);
        taken = counters(db).taken;
    }
    CHECK(taken > 0);  // pages before it were opened ahead
}
