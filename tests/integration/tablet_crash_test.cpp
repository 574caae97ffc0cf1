// Sync under SIGKILL, the tablet's side: an encrypted tablet (a forked child)
// is killed while it pulls a large scope. After each restart it resumes from
// its stored cursor; at the end every record is there exactly once and both
// databases pass SQLite's integrity check. Seeds are printed; FC_SEED replays one.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "book_fixture.hpp"
#include "crash_support.hpp"
#include "forecourt/core/crypto/book_vault.hpp"
#include "forecourt/platform/key_store.hpp"

namespace forecourt::testing {
namespace {

using namespace crash;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kPullCustomers = 1600;
constexpr int kPullPage = 15;

platform::PassphraseKeyStore& pull_keys() {
    static platform::PassphraseKeyStore keys("tablet passphrase", platform::KdfLimits::minimum());
    return keys;
}

// The pulling tablet's whole life: open the encrypted book, say where its
// stored cursor stands, then pull page by page, reporting each committed
// page's cursor. Never returns; exit codes tell the parent what went wrong.
[[noreturn]] void pull_until_killed(const BookOptions& options, const sync::net::ClientOptions& net,
                                    int report_fd) {
    const auto report = [&](const std::string& line) {
        // One write of < PIPE_BUF bytes: the parent sees the whole line or none of it.
        if (::write(report_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(5);
    };
    try {
        auto book = crypto::open_encrypted_book(options, pull_keys());
        if (!book.ok()) ::_exit(3);
        sync::ClientOptions small_pages;
        small_pages.pull_limit = kPullPage;
        sync::SyncClient client(**book, small_pages);
        auto state = client.state();
        if (!state.ok()) ::_exit(4);
        report("start " + std::to_string(state->cursor) + "\n");
        NetTransport transport(net);
        for (;;) {
            auto prepared = client.prepare();
            if (!prepared.ok()) ::_exit(6);
            auto answer = transport.send(prepared->request);
            if (!answer.ok()) ::_exit(7);
            auto round = client.complete(*prepared, *answer);
            if (!round.ok()) ::_exit(8);
            state = client.state();
            if (!state.ok()) ::_exit(4);
            report("page " + std::to_string(state->cursor) + "\n");
            if (!round->more) {
                report("done\n");
                ::_exit(0);
            }
        }
    } catch (...) {
        ::_exit(9);
    }
}

struct PullRound {
    std::vector<std::pair<std::string, std::int64_t>> lines;  // ("start" | "page" | "done", cursor)
    int wait_status = 0;
};

// Forks a puller and kills it: after `pages` committed pages and then `delay`,
// or `delay` after the fork when `pages` is 0.
PullRound pull_and_kill(const BookOptions& options, const sync::net::ClientOptions& net, int pages,
                        std::chrono::microseconds delay) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::fflush(nullptr);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        pull_until_killed(options, net, fds[1]);
    }
    ::close(fds[1]);
    std::string received;
    const auto count_pages = [&] {
        int n = 0;
        for (std::size_t at = 0; (at = received.find("page ", at)) != std::string::npos; ++at) ++n;
        return n;
    };
    const auto read_some = [&](int timeout_ms) {
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) <= 0) return true;
        char buffer[4096];
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n > 0) received.append(buffer, static_cast<std::size_t>(n));
        return n > 0;
    };
    bool open = true;
    for (const auto deadline = Clock::now() + 30s; open && count_pages() < pages && Clock::now() < deadline;)
        open = read_some(50);
    for (const auto until = Clock::now() + delay; open && Clock::now() < until;) open = read_some(0);
    ::kill(child, SIGKILL);
    while (read_some(1000)) {
    }
    ::close(fds[0]);
    PullRound round;
    REQUIRE(::waitpid(child, &round.wait_status, 0) == child);
    std::istringstream lines(received);
    std::string word;
    std::int64_t cursor = 0;
    while (lines >> word) {
        if (word == "done") {
            round.lines.emplace_back(word, 0);
            continue;
        }
        lines >> cursor;
        round.lines.emplace_back(word, cursor);
    }
    return round;
}

}  // namespace

TEST_CASE("sync crash: a tablet killed with SIGKILL while pulling resumes from its cursor and ends with every record once") {
    const auto started = Clock::now();
    CrashScene scene("tablet killed mid-pull");
    INFO("seed " << scene.seed);
    auto& [seed, dice, dir, home, server] = scene;

    // The consultant's first tablet fills the scope: customers, each with a contact.
    {
        BookOptions options;
        options.path = dir.file("first.book");
        options.synchronous = storage::Synchronous::normal;
        {
            auto fresh = must(Book::create(options, NewBook{"李娜", "", ""}));
            enrol(*fresh, server, home);
        }
        auto first = must(Book::open(options));
        for (int i = 0; i < kPullCustomers; ++i) {
            ProspectInput p;
            p.name = "客户" + std::to_string(i);
            p.phones = {"139" + std::to_string(10000000 + i)};
            p.grade = "B";
            p.source = "walk_in";
            p.allow_duplicate_phone = true;
            const auto id = must(first->register_prospect(p));
            must(first->record_contact(contact_input(id, "phone_call", "keep_in_touch")));
        }
        NetTransport net(server.client_options(home.fingerprint));
        sync::SyncClient client(*first);
        need(client.sync(net), "first tablet's sync");
        REQUIRE(outbox_of(*first).empty());
    }

    // The second tablet: an encrypted book, enrolled, with nothing pulled yet.
    BookOptions options;
    options.path = dir.file("second.book");
    {
        auto fresh = must(crypto::create_encrypted_book(options, pull_keys(), NewBook{"李娜", "", ""}));
        enrol(*fresh, server, home);
    }
    const auto net = server.client_options(home.fingerprint);

    std::int64_t committed = 0;  // the highest cursor a page was reported committed at
    int kills_mid_pull = 0, rounds = 0;
    bool done = false;
    while (kills_mid_pull < kKills && !done && rounds < 2 * kKills) {
        ++rounds;
        // Every fourth kill counts from the fork, so some land while the book
        // opens, recovers or shakes hands; the others after a few pages.
        const int pages = rounds % 4 == 0 ? 0 : 1 + static_cast<int>(dice() % 4);
        const auto delay = std::chrono::microseconds(rounds % 4 == 0 ? dice() % 60'000 : dice() % 8'000);
        INFO("round " << rounds << ": kill after " << pages << " pages + " << delay.count() << " µs");
        const auto round = pull_and_kill(options, net, pages, delay);
        if (WIFEXITED(round.wait_status)) {
            REQUIRE_MESSAGE(WEXITSTATUS(round.wait_status) == 0,
                            "the puller failed with exit code " << WEXITSTATUS(round.wait_status));
        } else {
            REQUIRE(WTERMSIG(round.wait_status) == SIGKILL);
        }
        for (const auto& [word, cursor] : round.lines) {
            if (word == "start") {
                // A restart resumes from the last committed page (or a later
                // one whose report the kill cut off), never from before it.
                CHECK(cursor >= committed);
                committed = std::max(committed, cursor);
            } else if (word == "page") {
                CHECK(cursor >= committed);
                committed = cursor;
            } else {
                done = true;
            }
        }
        if (WIFSIGNALED(round.wait_status) && !done) ++kills_mid_pull;
    }
    CHECK_MESSAGE(kills_mid_pull >= 20, "the pull ended after " << kills_mid_pull << " kills");

    // The book as the app finds it after the last kill, then pulled to the end.
    auto book = must(crypto::open_encrypted_book(options, pull_keys()));
    CHECK(column(book->db(), "PRAGMA integrity_check") == kOk);
    CHECK(need(sync::SyncClient(*book).state()).cursor >= committed);
    {
        NetTransport transport(net);
        sync::ClientOptions small_pages;
        small_pages.pull_limit = kPullPage;
        sync::SyncClient client(*book, small_pages);
        need(client.sync(transport), "final pull");
    }
    server.stop();
    CHECK(column(book->db(), "PRAGMA integrity_check") == kOk);
    CHECK(outbox_of(*book).empty());  // pulled changes are never pushed back

    auto store = open_store(home);
    CHECK(column(store->db(), "PRAGMA integrity_check") == kOk);
    auto head = must(storage::Query::prepare(
        store->db(), "SELECT coalesce(max(seq), 0) FROM change_log WHERE audience IS NULL OR audience = ?"));
    head->bind(1, home.consultant_id);
    REQUIRE(must(head->step()));
    CHECK(need(sync::SyncClient(*book).state()).cursor == head->int64(0));
    const json ours = records_of(book->records(), book->db());
    const json theirs = records_of(store->records(), store->db());
    for (const char* table : {"customers", "contacts"}) {
        INFO("table " << table);
        CHECK(ours[table].size() == static_cast<std::size_t>(kPullCustomers));
        CHECK(number(book->db(), std::string("SELECT count(DISTINCT id) FROM ") + table) == kPullCustomers);
        CHECK(ours[table] == theirs[table]);
    }
    const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::printf("sync crash test (tablet killed mid-pull): %d rounds, %d kills mid-pull, %zu records, %.1f s\n",
                rounds, kills_mid_pull, ours["customers"].size() + ours["contacts"].size(), seconds);
}

}  // namespace forecourt::testing
