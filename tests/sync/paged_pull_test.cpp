// The tablet's pull in pages: the next page sent ahead (and decoded) while one
// is applied, interrupted and unreadable pages, and progress.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

namespace {

// A consultant whose `count` prospects a writer tablet has synced to the store.
std::string consultant_with_prospects(const TempDir& dir, StoreFixture& server, int count) {
    const auto id = server.add_consultant("李娜");
    Tablet writer(dir.path(), "writer");
    writer.enrol(server, id);
    for (int i = 0; i < count; ++i)
        writer.register_prospect("客户" + std::to_string(i), "138001380" + std::to_string(10 + i));
    InProcessTransport direct(server);
    need(writer.sync(direct));
    return id;
}

// Pages of the log (a new tablet's snapshot is tested in snapshot_test.cpp).
sync::ClientOptions pages_of(int changes) {
    sync::ClientOptions options;
    options.pull_limit = changes;
    options.snapshot_first = false;
    return options;
}

// A new tablet of a consultant with `prospects` synced prospects, pulling
// three changes a page over a transport that sends ahead.
struct PagedPull {
    explicit PagedPull(int prospects)
        : li(consultant_with_prospects(dir, server, prospects)),
          t(dir.path(), "t", kStart, storage::Synchronous::full, pages_of(3)) {
        t.enrol(server, li);
    }
    TempDir dir;
    StoreFixture server{dir.path()};
    std::string li;
    Tablet t;
    BackgroundTransport transport{server};
};

}  // namespace

TEST_CASE("sync client: the next page is on its way while one is applied; an interrupted pull resumes") {
    PagedPull p(12);
    auto& [dir, server, li, t, transport] = p;
    transport.fail_send = 3;  // the answer to the second page's request, sent ahead
    auto interrupted = t.sync(transport);
    REQUIRE_FALSE(interrupted.ok());
    CHECK(interrupted.error().code == ErrorCode::offline);
    REQUIRE(transport.cursors.size() == 3);
    // The first request went from this thread; the next ones were sent ahead,
    // each from the cursor the page before it ended at.
    CHECK(transport.threads[0] == std::this_thread::get_id());
    CHECK(transport.threads[1] != std::this_thread::get_id());
    CHECK(transport.threads[2] != std::this_thread::get_id());
    CHECK(transport.cursors[0] == 0);
    CHECK(transport.cursors[1] > transport.cursors[0]);
    CHECK(transport.cursors[2] > transport.cursors[1]);
    // The two pages that arrived were applied with their cursors; the lost
    // one was not: the cursor is where the third request started.
    CHECK(need(t.client().state()).cursor == transport.cursors[2]);
    const auto log = need(server.store->log().page(0, {li, ""}, 100, 1 << 20));
    const auto customers_in_two_pages = std::count_if(log.entries.begin(), log.entries.end(), [&](const auto& e) {
        return e.table == "customers" && e.seq <= transport.cursors[2];
    });
    CHECK(customers_in_two_pages > 0);
    CHECK(need(t.book().list(ListFilter{})).size() == static_cast<std::size_t>(customers_in_two_pages));

    transport.fail_send = 0;
    const auto resumed = need(t.sync(transport));
    CHECK(resumed.pulled > 0);
    CHECK(transport.cursors[3] == transport.cursors[2]);  // resumed where it stopped
    CHECK(need(t.book().list(ListFilter{})).size() == 12);
    CHECK(records_of(t.book().records(), t.book().db(), li) ==
          records_of(server.store->records(), server.store->db(), li));
}

TEST_CASE("sync client: a page sent ahead whose answer cannot be read is not applied, and is asked for again") {
    PagedPull p(9);
    auto& [dir, server, li, t, transport] = p;
    transport.garble_send = 2;  // the first page sent ahead, decoded on the other thread
    auto failed = t.sync(transport);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == ErrorCode::protocol);
    // The thread that received the cut page had asked for the one after it
    // from the members at its start before finding the page unreadable; that
    // answer was dropped, and nothing more went out.
    REQUIRE(transport.cursors.size() == 3);
    CHECK(transport.threads[1] != std::this_thread::get_id());
    CHECK(transport.threads[2] != std::this_thread::get_id());
    CHECK(transport.cursors[2] > transport.cursors[1]);
    // Only the first page is in the book; the failure is what status shows.
    const auto state = need(t.client().state());
    CHECK(state.cursor == transport.cursors[1]);
    REQUIRE(state.last_error.has_value());
    CHECK(need(t.book().list(ListFilter{})).size() < 9);

    transport.garble_send = 0;
    need(t.sync(transport));
    CHECK(transport.cursors[3] == transport.cursors[1]);
    CHECK(need(t.book().list(ListFilter{})).size() == 9);
    CHECK_FALSE(need(t.client().state()).last_error.has_value());
    CHECK(records_of(t.book().records(), t.book().db(), li) ==
          records_of(server.store->records(), server.store->db(), li));
}

TEST_CASE("sync client: a progress hook sees every pulled page in order, the first with what remains") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = consultant_with_prospects(dir, server, 10);
    InProcessTransport transport(server);

    sync::ClientOptions small_pages;
    small_pages.pull_limit = 4;
    Tablet t(dir.path(), "t", kStart, storage::Synchronous::full, small_pages);
    t.enrol(server, li);
    std::vector<sync::PullPage> pages;
    t.client().on_page([&](const sync::PullPage& page) { pages.push_back(page); });
    const auto summary = need(t.sync(transport));
    REQUIRE(pages.size() >= 3);
    REQUIRE(pages[0].remaining.has_value());
    std::size_t seen = 0;
    for (std::size_t i = 0; i < pages.size(); ++i) {
        REQUIRE_FALSE(pages[i].changes.empty());
        seen += pages[i].changes.size();
        CHECK(pages[i].more == (i + 1 < pages.size()));
        if (i > 0) CHECK(pages[i].changes.front().seq > pages[i - 1].changes.back().seq);
    }
    CHECK(pages[0].changes.size() + static_cast<std::size_t>(*pages[0].remaining) == seen);
    CHECK(static_cast<std::size_t>(summary.pulled) == seen);
}

TEST_CASE("sync client: a long pull checkpoints the book's WAL less often, then puts the interval back") {
    PagedPull p(12);
    auto& t = p.t;
    auto interval = [&] { return need(storage::query_int64(t.book().db(), "PRAGMA wal_autocheckpoint")); };
    REQUIRE(interval() == 1000);
    std::vector<std::int64_t> during;
    t.client().on_page([&](const sync::PullPage&) { during.push_back(interval()); });
    const auto summary = need(t.sync(p.transport));
    CHECK(summary.pulled >= 12);
    REQUIRE(during.size() >= 4);
    CHECK(during.front() == 1000);  // raised once a page says more follows
    CHECK(during.back() == 10'000);
    CHECK(interval() == 1000);
    // The WAL was checkpointed when the sync ended (far fewer than 1,000
    // pages were written, so only that checkpoint copied them): the WAL
    // index's last frame (mxFrame, at byte 16) is its backfilled one
    // (nBackfill, at byte 96), both in the machine's byte order.
    std::ifstream in(t.book().db().path() + "-shm", std::ios::binary);
    const std::string shm((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(shm.size() >= 100);
    auto u32_at = [&](std::size_t at) {
        std::uint32_t v = 0;
        std::memcpy(&v, shm.data() + at, sizeof v);
        return v;
    };
    CHECK(u32_at(16) > 0);
    CHECK(u32_at(96) == u32_at(16));

    // A sync with a single page leaves the interval alone.
    during.clear();
    need(t.sync(p.transport));
    CHECK(std::all_of(during.begin(), during.end(), [](std::int64_t n) { return n == 1000; }));
    CHECK(interval() == 1000);
}

namespace {

// What another connection sees of the book: the cursor committed last.
std::int64_t committed_cursor(const std::string& path) {
    storage::OpenOptions options;
    options.path = path;
    options.create = false;
    auto other = need(storage::Database::open(options));
    return need(storage::query_int64(other, "SELECT cursor FROM sync_state"));
}

sync::ClientOptions pages_committed_within(int changes, int ms) {
    auto options = pages_of(changes);
    options.pull_commit_ms = ms;
    return options;
}

// A new tablet of `consultant` pulls over `transport`, committing within
// `ms`; `seen` gets the cursor another connection sees committed as each
// page arrives. The tablet's summary.
sync::SyncSummary pull_watching_commits(const TempDir& dir, StoreFixture& server, const std::string& consultant,
                                        sync::Transport& transport, int ms, std::unique_ptr<Tablet>& t,
                                        std::vector<std::int64_t>& seen) {
    t = std::make_unique<Tablet>(dir.path(), "t", kStart, storage::Synchronous::full, pages_committed_within(3, ms));
    t->enrol(server, consultant);
    const auto path = t->book().db().path();
    t->client().on_page([&seen, path](const sync::PullPage&) { seen.push_back(committed_cursor(path)); });
    auto summary = need(t->sync(transport));
    REQUIRE(seen.size() >= 4);
    return summary;
}

// Sends each request after the first `delay` late.
class LateTransport : public BackgroundTransport {
public:
    LateTransport(StoreFixture& server, std::chrono::milliseconds delay)
        : BackgroundTransport(server), delay_(delay) {}
    Result<sync::Response> send(const sync::Request& request) override {
        if (!cursors.empty()) std::this_thread::sleep_for(delay_);
        return BackgroundTransport::send(request);
    }

private:
    std::chrono::milliseconds delay_;
};

}  // namespace

TEST_CASE("sync client: a long pull's pages share a transaction, each with its cursor, for pull_commit_ms") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = consultant_with_prospects(dir, server, 12);
    BackgroundTransport transport(server);
    std::unique_ptr<Tablet> t;
    std::vector<std::int64_t> seen;

    SUBCASE("within the time, nothing is committed until the last page") {
        const auto summary = pull_watching_commits(dir, server, li, transport, 60'000, t, seen);
        CHECK(std::all_of(seen.begin(), seen.end(), [](std::int64_t c) { return c == 0; }));
        CHECK(summary.pulled >= 12);
        CHECK(need(t->client().state()).cursor > 0);
        CHECK(committed_cursor(t->book().db().path()) == need(t->client().state()).cursor);
        CHECK(need(t->book().list(ListFilter{})).size() == 12);
    }
    SUBCASE("with 0, every page is committed before the next is applied") {
        pull_watching_commits(dir, server, li, transport, 0, t, seen);
        REQUIRE(transport.cursors.size() == seen.size());
        // Page i was asked for from where page i-1 ended, which is committed by then.
        for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == transport.cursors[i]);
    }
    SUBCASE("pages are committed before waiting for a page later than the time left") {
        LateTransport late(server, std::chrono::milliseconds(150));
        pull_watching_commits(dir, server, li, late, 30, t, seen);
        REQUIRE(late.cursors.size() == seen.size());
        for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == late.cursors[i]);
        CHECK(need(t->book().list(ListFilter{})).size() == 12);
    }
}

TEST_CASE("sync client: a page that fails to apply takes the uncommitted pages with it; the pull resumes") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = consultant_with_prospects(dir, server, 12);
    BackgroundTransport transport(server);
    Tablet t(dir.path(), "t", kStart, storage::Synchronous::full, pages_committed_within(3, 60'000));
    t.enrol(server, li);
    // The book refuses the ninth prospect, as a full disk would refuse a write.
    need(t.book().db().exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.customers "
                            "WHEN NEW.name = '客户8' BEGIN SELECT RAISE(ABORT, 'no room'); END"));
    int pages = 0;
    t.client().on_page([&](const sync::PullPage&) { ++pages; });
    auto failed = t.sync(transport);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().message.find("no room") != std::string::npos);
    CHECK(pages >= 3);  // pages before the refused one were applied in the same transaction
    // They were rolled back with it: nothing of the pull is in the book, and
    // the book's write lock is free.
    CHECK(committed_cursor(t.book().db().path()) == 0);
    CHECK(need(t.book().list(ListFilter{})).empty());
    CHECK(t.register_prospect("新客户", "13900139000").size() > 0);

    need(t.book().db().exec("DROP TRIGGER temp.refuse"));
    need(t.sync(transport));
    CHECK(need(t.book().list(ListFilter{})).size() == 13);
    CHECK(records_of(t.book().records(), t.book().db(), li) ==
          records_of(server.store->records(), server.store->db(), li));
}

TEST_CASE("sync client: a record changed several times in one page is written once, as the changes in turn leave it") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = server.add_consultant("李娜");
    const auto zhang = server.add_consultant("张伟");
    InProcessTransport transport(server);
    Tablet writer(dir.path(), "writer");
    writer.enrol(server, li);
    // A prospect edited, regraded, given a follow-up that is then done, each
    // synced on its own; handed away (the log purges it for 李娜's tablets)
    // and back; then edited again.
    const auto id = writer.register_prospect("王伟", "13800138000");
    need(writer.sync(transport));
    need(writer.book().edit_card(id, {{"household_notes", "two kids"}, {"phones", {"13800138001"}}}));
    need(writer.sync(transport));
    need(writer.book().change_grade(id, "H", "ready to buy"));
    need(writer.sync(transport));
    const auto follow_up = need(writer.book().plan_follow_up(FollowUpInput{id, "2025-11-28", "visit", "promote_deal", {}}));
    need(writer.sync(transport));
    need(writer.book().complete_follow_up(follow_up, ContactInput{id, "visit", "promote_deal", "signed", {}, {}, {}, {}}));
    need(writer.sync(transport));
    server.admin("POST", "/v1/admin/handover", {{"from", li}, {"to", zhang}, {"customers", {id}}});
    server.admin("POST", "/v1/admin/handover", {{"from", zhang}, {"to", li}, {"customers", {id}}});
    need(writer.sync(transport));
    need(writer.book().edit_card(id, {{"household_notes", "two kids, a dog"}, {"phones", {"13800138002"}}}));
    need(writer.sync(transport));

    Tablet each(dir.path(), "each", kStart, storage::Synchronous::full, pages_of(1));
    Tablet folded(dir.path(), "folded", kStart, storage::Synchronous::full, pages_of(2000));
    each.enrol(server, li);
    folded.enrol(server, li);
    std::vector<sync::PullPage> pages;
    folded.client().on_page([&](const sync::PullPage& page) { pages.push_back(page); });
    need(each.sync(transport));
    need(folded.sync(transport));

    // One page held the customer's whole run: changes, a purge, changes again.
    REQUIRE(pages.size() == 1);
    std::vector<sync::PulledOp> ops;
    for (const auto& c : pages[0].changes)
        if (c.table == "customers" && c.record_id == id) ops.push_back(c.op);
    REQUIRE(ops.size() >= 5);
    const auto purge = std::find(ops.begin(), ops.end(), sync::PulledOp::purge);
    REQUIRE(purge != ops.end());
    CHECK(std::count(ops.begin(), purge, sync::PulledOp::upsert) >= 3);
    CHECK(std::count(purge, ops.end(), sync::PulledOp::upsert) >= 2);
    std::size_t follow_up_changes = 0;
    for (const auto& c : pages[0].changes) follow_up_changes += c.record_id == follow_up;
    CHECK(follow_up_changes >= 2);

    const auto expected = records_of(server.store->records(), server.store->db(), li);
    CHECK(records_of(each.book().records(), each.book().db(), li) == expected);
    CHECK(records_of(folded.book().records(), folded.book().db(), li) == expected);
    CHECK(need(folded.book().follow_up(follow_up)).status == "done");
    // The phone index follows the last phones written, not the first.
    const auto found = need(folded.book().find("13800138002"));
    REQUIRE(found.size() == 1);
    CHECK(found[0].id == id);
    CHECK(need(folded.book().find("13800138000")).empty());
    CHECK(need(folded.book().find("13800138001")).empty());
}
