// Sync under SIGKILL, the store's side: the store server (the forecourt
// binary, as a child process) is killed while it applies a tablet's pushes.
// After each restart and a final sync: no acknowledged change is lost, none is
// applied twice, the store passes SQLite's integrity check and the tablet
// agrees with the store. Seeds are printed; FC_SEED replays one.
#include <doctest/doctest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "book_fixture.hpp"
#include "crash_support.hpp"

namespace forecourt::testing {
namespace {

using namespace crash;
using nlohmann::json;
using namespace std::chrono_literals;

// Server killed mid-push: checks the store database as the next server start
// finds it. Every seq the tablet saw acknowledged was applied exactly once and
// its record is there with the tablet's values; nothing was applied twice.
void check_store_after_kill(const StoreHome& home, const std::string& device,
                            const std::map<std::int64_t, OutboxEntry>& acknowledged, Book& book) {
    auto store = open_store(home);
    CHECK(column(store->db(), "PRAGMA integrity_check") == kOk);
    const auto applied = applied_seqs(*store, device);
    std::vector<std::int64_t> lost, doubled;
    for (const auto& [seq, entry] : acknowledged)
        if (!applied.contains(seq)) lost.push_back(seq);
    for (const auto& [seq, count] : applied)
        if (count != 1) doubled.push_back(seq);
    CHECK_MESSAGE(lost.empty(), lost.size() << " acknowledged changes missing, first seq "
                                            << (lost.empty() ? 0 : lost.front()));
    CHECK_MESSAGE(doubled.empty(), doubled.size() << " changes applied more than once, first seq "
                                                  << (doubled.empty() ? 0 : doubled.front()));
    const std::int64_t acked_max = acknowledged.empty() ? 0 : acknowledged.rbegin()->first;
    auto q = must(storage::Query::prepare(store->db(), "SELECT acked_seq FROM devices WHERE id = ?"));
    q->bind(1, device);
    REQUIRE(must(q->step()));
    CHECK(q->int64(0) >= acked_max);
    // History records are written once: the store's copy is the tablet's.
    const json ours = records_of(book.records(), book.db());
    const json theirs = records_of(store->records(), store->db());
    for (const auto& [seq, entry] : acknowledged) {
        if (entry.table != "contacts") continue;
        REQUIRE(theirs["contacts"].contains(entry.record_id));
        CHECK(theirs["contacts"][entry.record_id] == ours["contacts"][entry.record_id]);
    }
}

// One round's offline work: contacts, card edits, now and then a new prospect.
void write_offline(Book& book, std::vector<std::string>& customers, int round) {
    if (round % 2 == 0) {
        ProspectInput p;
        p.name = "客户" + std::to_string(round);
        p.phones = {"1390000" + std::to_string(1000 + round)};
        p.grade = "B";
        p.source = "walk_in";
        p.allow_duplicate_phone = true;
        customers.push_back(must(book.register_prospect(p)));
    }
    for (int i = 0; i < 12; ++i) {
        auto contact = contact_input(customers[(round * 12 + i) % customers.size()], "phone_call",
                                     "keep_in_touch");
        contact.notes = "round " + std::to_string(round) + " contact " + std::to_string(i);
        must(book.record_contact(contact));
    }
    for (int i = 0; i < 3; ++i)
        must(book.edit_card(customers[(round + i) % customers.size()],
                            {{"address", "round " + std::to_string(round) + " edit " + std::to_string(i)}}),
             "edit card");
}

}  // namespace

TEST_CASE("sync crash: the store server killed with SIGKILL while applying pushes loses and doubles nothing") {
    const auto started = Clock::now();
    CrashScene scene("server killed mid-push");
    INFO("seed " << scene.seed);
    auto& [seed, dice, dir, home, server] = scene;

    const std::string path = dir.file("tablet.book");
    {
        auto fresh = must(Book::create(book_options(path, platform::system_clock()), NewBook{"李娜", "", ""}));
        enrol(*fresh, server, home);
    }
    auto book = must(Book::open(book_options(path, platform::system_clock())));
    const std::string device = need(sync::SyncClient(*book).state()).device_id;
    std::vector<std::string> customers;
    for (int i = 0; i < 6; ++i) {
        ProspectInput p;
        p.name = "王伟";
        p.phones = {"1380013800" + std::to_string(i)};
        p.grade = "B";
        p.source = "walk_in";
        customers.push_back(must(book->register_prospect(p)));
    }

    sync::ClientOptions small_batches;
    small_batches.batch_size = 3;
    small_batches.pull_limit = 50;
    std::map<std::int64_t, OutboxEntry> acknowledged, ever_queued;
    int kills_mid_sync = 0;
    std::int64_t answered = 0, answered_us = 0;  // requests answered in earlier rounds, and their time
    // A kill aimed late in a round can land after its sync has finished (more
    // often on a loaded machine): rounds go on until kKills kills have landed
    // while the tablet pushes, at most three times as many rounds.
    int round = 0;
    while (kills_mid_sync < kKills && round < 3 * kKills) {
        ++round;
        write_offline(*book, customers, round);
        const auto before = outbox_of(*book);
        ever_queued.insert(before.begin(), before.end());
        if (!server.running()) server.start();
        // Aim at a random request of the round, then a random time into it:
        // before, during and after the store's commit. The window is twice a
        // request's mean time so far (4 ms before any was measured, and at
        // most that), so the kills land in the requests however fast this
        // machine answers them.
        const int batches = static_cast<int>((before.size() + 2) / 3);
        const int target = 1 + static_cast<int>(dice() % static_cast<std::uint64_t>(batches));
        const std::int64_t window_us =
            answered == 0 ? 4000 : std::clamp<std::int64_t>(2 * answered_us / answered, 200, 4000);
        const auto delay = std::chrono::microseconds(dice() % static_cast<std::uint64_t>(window_us));
        INFO("round " << round << ": kill at request " << target << " + " << delay.count() << " µs");
        NetTransport net(server.client_options(home.fingerprint));
        CountingTransport counting(net);
        std::atomic<bool> finished{false};
        std::thread killer([&] {
            while (counting.sent.load() < target && !finished.load()) std::this_thread::sleep_for(50us);
            std::this_thread::sleep_for(delay);
            server.kill();
        });
        sync::SyncClient client(*book, small_batches);
        const auto outcome = client.sync(counting);
        finished = true;
        killer.join();
        answered += counting.answered.load();
        answered_us += counting.answered_us.load();
        const int status = server.stop();
        CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
        if (!outcome.ok()) ++kills_mid_sync;

        const auto after = outbox_of(*book);
        for (const auto& [seq, entry] : before)
            if (!after.contains(seq)) acknowledged[seq] = entry;
        for (const auto& [seq, entry] : after) REQUIRE_MESSAGE(before.contains(seq), "new outbox row " << seq);
        check_store_after_kill(home, device, acknowledged, *book);
    }

    // Restart and resync to completion.
    server.start();
    {
        NetTransport net(server.client_options(home.fingerprint));
        sync::SyncClient client(*book, small_batches);
        const auto summary = need(client.sync(net), "final sync");
        CHECK_FALSE(summary.revoked);
    }
    server.stop();
    CHECK(outbox_of(*book).empty());
    CHECK(column(book->db(), "PRAGMA integrity_check") == kOk);
    for (const auto& [seq, entry] : ever_queued) acknowledged[seq] = entry;
    check_store_after_kill(home, device, acknowledged, *book);
    {
        auto store = open_store(home);
        const json ours = records_of(book->records(), book->db());
        const json theirs = records_of(store->records(), store->db());
        for (const char* table : {"customers", "contacts"}) {
            INFO("table " << table);
            CHECK(ours[table].size() == theirs[table].size());
            CHECK(ours[table] == theirs[table]);
        }
        CHECK(ours["customers"].size() == customers.size());
        CHECK(ours["contacts"].size() == static_cast<std::size_t>(round * 12));
    }
    const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::printf("sync crash test (server killed mid-push): %d kills, %d mid-sync, %zu changes pushed, %.1f s\n",
                round, kills_mid_sync, ever_queued.size(), seconds);
    // Kills must land while the tablet pushes, or this test proves nothing.
    CHECK(kills_mid_sync >= kKills);
}

}  // namespace forecourt::testing
