// The tablet's push in batches over a transport that sends in the background:
// the next batch is read and encoded while one is on its way, and sent as
// soon as that one's answer shows the store took it all with nothing to pull,
// while the tablet commits that answer.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;

namespace {

sync::ClientOptions batches_of(int changes) {
    sync::ClientOptions options;
    options.batch_size = changes;
    return options;
}

// An enrolled tablet pushing three changes a batch, up to date with the store.
struct BatchedPush {
    BatchedPush() {
        t.enrol(server, li);
        need(t.sync(transport));
        transport.cursors.clear();
        transport.threads.clear();
    }
    std::vector<std::int64_t> waiting() { return waiting_seqs(t); }
    std::vector<std::int64_t> logged() { return logged_seqs(server, t); }
    std::vector<std::string> register_prospects(int from, int count) {
        std::vector<std::string> ids;
        for (int i = from; i < from + count; ++i)
            ids.push_back(t.register_prospect("客户" + std::to_string(i), "138001380" + std::to_string(10 + i)));
        return ids;
    }

    TempDir dir;
    StoreFixture server{dir.path()};
    std::string li = server.add_consultant("李娜");
    Tablet t{dir.path(), "t", kStart, storage::Synchronous::full, batches_of(3)};
    BackgroundTransport transport{server};
};

}  // namespace

TEST_CASE("pipelined push: each batch goes out once, in order, from the background, and the store ends equal") {
    BatchedPush p;
    p.register_prospects(0, 8);
    const auto seqs = p.waiting();
    REQUIRE(seqs.size() >= 16);
    const auto summary = need(p.t.sync(p.transport));
    CHECK(summary.pushed == static_cast<int>(seqs.size()));
    CHECK(summary.rounds == static_cast<int>((seqs.size() + 2) / 3));  // no batch was read twice for nothing
    CHECK(p.waiting().empty());
    CHECK(p.logged() == seqs);  // each change once, in the tablet's order
    for (const auto& id : p.transport.threads) CHECK(id != std::this_thread::get_id());
    CHECK(records_of(p.t.book().records(), p.t.book().db(), p.li) ==
          records_of(p.server.store->records(), p.server.store->db(), p.li));
}

TEST_CASE("pipelined push: cut off mid-way, the batch read ahead is dropped; the next sync sends the rest once") {
    BatchedPush p;
    p.register_prospects(0, 8);
    const auto seqs = p.waiting();
    p.transport.fail_send = 3;  // two batches arrive, the third does not
    REQUIRE_FALSE(p.t.sync(p.transport).ok());
    CHECK(p.waiting() == std::vector<std::int64_t>(seqs.begin() + 6, seqs.end()));
    CHECK(p.logged() == std::vector<std::int64_t>(seqs.begin(), seqs.begin() + 6));

    p.transport.fail_send = 0;
    need(p.t.sync(p.transport));
    CHECK(p.waiting().empty());
    CHECK(p.logged() == seqs);
    CHECK(records_of(p.t.book().records(), p.t.book().db(), p.li) ==
          records_of(p.server.store->records(), p.server.store->db(), p.li));
}

TEST_CASE("pipelined push: a refused change is set aside, and the batches after it are read again and sent once") {
    BatchedPush p;
    const auto wang = p.register_prospects(0, 2).front();
    need(p.t.book().edit_card(wang, {{"household_notes", "两个孩子"}}));
    // A value this store does not take for the field, as a tablet of another
    // version might send it: the store refuses the batch that carries it.
    const auto notes_seq = need(storage::query_int64(p.t.book().db(), "SELECT max(seq) FROM outbox"));
    REQUIRE(p.t.book().db().exec("UPDATE outbox SET fields = json_set(fields, '$.household_notes.value', 42) "
                                 "WHERE seq = " + std::to_string(notes_seq)).ok());
    p.register_prospects(2, 3);
    auto seqs = p.waiting();
    REQUIRE(seqs.size() > 9);
    const auto summary = need(p.t.sync(p.transport));
    CHECK(summary.refused == 1);
    CHECK(summary.pushed == static_cast<int>(seqs.size()) - 1);
    CHECK(p.waiting().empty());
    std::erase(seqs, notes_seq);
    CHECK(p.logged() == seqs);
    auto refused = need(p.t.book().changes().refused(10));
    REQUIRE(refused.size() == 1);
    CHECK(refused[0].change.seq == notes_seq);
}

TEST_CASE("pipelined push: the next batch goes out before the tablet has committed the answer to the one before") {
    BatchedPush p;
    p.register_prospects(0, 8);
    const auto seqs = p.waiting();
    // Once the store has answered the first batch, another connection holds the
    // book's write lock, so the tablet cannot commit that answer. The second
    // batch's send lets it go; if no send comes within a second, a timer does.
    sqlite3* holder = nullptr;
    REQUIRE(sqlite3_open(p.t.book().db().path().c_str(), &holder) == SQLITE_OK);
    std::mutex lock_mutex;
    bool locked = false;
    std::atomic<bool> second_sent_while_locked{false};
    auto release = [&] {
        std::lock_guard guard(lock_mutex);
        if (locked) sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
        locked = false;
    };
    p.transport.on_answered = [&](int number) {
        if (number != 1) return;
        std::lock_guard guard(lock_mutex);
        locked = sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    };
    p.transport.on_send = [&](int number) {
        if (number != 2) return;
        {
            std::lock_guard guard(lock_mutex);
            second_sent_while_locked = locked;
        }
        release();
    };
    std::thread timer([&] {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        release();
    });
    const auto summary = p.t.sync(p.transport);
    timer.join();
    sqlite3_close(holder);
    REQUIRE(summary.ok());
    CHECK(second_sent_while_locked.load());
    CHECK(summary->pushed == static_cast<int>(seqs.size()));
    CHECK(p.waiting().empty());
    CHECK(p.logged() == seqs);
}
