// Sync under SIGKILL. The store server (the forecourt binary, as a child
// process) is killed while it applies a tablet's pushes, and a tablet (a forked
// child) is killed while it pulls a large scope. After the restarts and a final
// sync: no acknowledged change is lost, none is applied twice, both databases
// pass SQLite's integrity check and the tablet agrees with the store.
// Seeds are printed; FC_SEED replays one.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "book_fixture.hpp"
#include "forecourt/core/crypto/book_vault.hpp"
#include "forecourt/core/store/store_database.hpp"
#include "forecourt/platform/key_store.hpp"
#include "forecourt/platform/random.hpp"
#include "live_store.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

namespace forecourt::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kKills = 24;

std::uint64_t crash_seed(const char* what) {
    const char* env = std::getenv("FC_SEED");
    const std::uint64_t seed = env && *env ? std::strtoull(env, nullptr, 10) : platform::random_u64();
    std::printf("sync crash test (%s): seed %llu (FC_SEED=%llu replays it)\n", what,
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    return seed;
}

std::string forecourt_ok(const std::vector<std::string>& args) {
    auto r = run_process(FORECOURT_BIN, args, {}, 60);
    INFO("forecourt " << args.front() << " ... " << args.back() << "\nstdout: " << r.out
                      << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// A store's home made by `forecourt server init`, with one consultant.
struct StoreHome {
    std::string dir;
    std::string fingerprint;
    std::string consultant_id;

    explicit StoreHome(const std::string& home) : dir(home) {
        const auto init = forecourt_ok({"server", "--home", dir, "init", "--store-name", "Forecourt Motors"});
        std::smatch m;
        REQUIRE(std::regex_search(init, m, std::regex(R"(SHA256:[0-9A-F:]+)")));
        fingerprint = m[0];
        consultant_id = first_line(forecourt_ok({"admin", "--home", dir, "consultant", "add", "李娜"}));
    }
    std::string enrolment_code() const {
        return first_line(forecourt_ok({"admin", "--home", dir, "enrol-code", consultant_id}));
    }
    std::string database() const { return dir + "/store.db"; }
};

// `forecourt server run` on 127.0.0.1 with an ephemeral port, its output in a
// file whose first line names the port. Killed with SIGKILL on request.
class ServerChild {
public:
    ServerChild(std::string home, std::string output) : home_(std::move(home)), output_(std::move(output)) {}
    ~ServerChild() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }

    void start() {
        REQUIRE(pid_ < 0);
        std::fflush(nullptr);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            const int fd = ::open(output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd < 0) ::_exit(126);
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
            ::execl(FORECOURT_BIN, FORECOURT_BIN, "server", "--home", home_.c_str(), "run", "--listen",
                    "127.0.0.1:0", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        const std::regex listening(R"(Listening on 127\.0\.0\.1:(\d+)\n)");
        for (const auto deadline = Clock::now() + 20s; Clock::now() < deadline;) {
            std::ifstream in(output_);
            std::stringstream text;
            text << in.rdbuf();
            const std::string out = text.str();
            std::smatch m;
            if (std::regex_search(out, m, listening)) {
                port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
                return;
            }
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                FAIL("the store server exited while starting: " << out);
            }
            std::this_thread::sleep_for(2ms);
        }
        FAIL("the store server did not report its port in time");
    }

    // Safe from another thread while the owner waits on a request.
    void kill() const {
        if (pid_ > 0) ::kill(pid_, SIGKILL);
    }
    // Kills (if it still runs) and reaps; the exit status as waitpid gives it.
    int stop() {
        REQUIRE(pid_ > 0);
        ::kill(pid_, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(pid_, &status, 0) == pid_);
        pid_ = -1;
        return status;
    }
    bool running() const { return pid_ > 0; }

    sync::net::ClientOptions client_options(const std::string& fingerprint) const {
        sync::net::ClientOptions options;
        options.host = "127.0.0.1";
        options.port = port_;
        options.pinned_fingerprint = fingerprint;
        options.connect_timeout = 2s;
        options.handshake_timeout = 5s;
        options.io_timeout = 10s;
        return options;
    }
    std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

private:
    std::string home_;
    std::string output_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

// Enrols `book` with the store over HTTPS; the caller reopens it afterwards.
void enrol(Book& book, const ServerChild& server, const StoreHome& home) {
    NetTransport transport(server.client_options(home.fingerprint));
    sync::SyncClient client(book);
    const auto answer = need(transport.send(client.enrol_request(home.enrolment_code(), "tablet")), "enrol");
    need(client.complete_enrolment(answer, "tablet", server.url(), home.fingerprint), "enrolment");
}

std::vector<std::string> column(storage::Database& db, const std::string& sql) {
    auto q = must(storage::Query::prepare(db, sql));
    std::vector<std::string> out;
    while (must(q->step())) out.push_back(q->text(0));
    return out;
}

std::int64_t number(storage::Database& db, const std::string& sql) {
    auto q = must(storage::Query::prepare(db, sql));
    REQUIRE(must(q->step()));
    return q->int64(0);
}

const std::vector<std::string> kOk{"ok"};

struct OutboxEntry {
    std::string table;
    std::string record_id;
};

std::map<std::int64_t, OutboxEntry> outbox_of(Book& book) {
    auto q = must(storage::Query::prepare(book.db(), "SELECT seq, tbl, record_id FROM outbox"));
    std::map<std::int64_t, OutboxEntry> out;
    while (must(q->step())) out[q->int64(0)] = OutboxEntry{q->text(1), q->text(2)};
    return out;
}

// How many change-log entries each of the device's pushed seqs produced.
std::map<std::int64_t, std::int64_t> applied_seqs(store::StoreDatabase& store, const std::string& device) {
    auto q = must(storage::Query::prepare(
        store.db(), "SELECT origin_seq, count(*) FROM change_log WHERE origin_device = ? GROUP BY origin_seq"));
    q->bind(1, device);
    std::map<std::int64_t, std::int64_t> out;
    while (must(q->step())) out[q->int64(0)] = q->int64(1);
    return out;
}

std::unique_ptr<store::StoreDatabase> open_store(const StoreHome& home) {
    store::StoreOptions options;
    options.path = home.database();
    return need(store::StoreDatabase::open(options), "open the store database");
}

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

// Counts requests, so a kill can be aimed at the k-th one.
class CountingTransport : public sync::Transport {
public:
    explicit CountingTransport(sync::Transport& inner) : inner_(inner) {}
    Result<sync::Response> send(const sync::Request& request) override {
        ++sent;
        return inner_.send(request);
    }
    std::atomic<int> sent{0};

private:
    sync::Transport& inner_;
};

}  // namespace

TEST_CASE("sync crash: the store server killed with SIGKILL while applying pushes loses and doubles nothing") {
    const auto started = Clock::now();
    const std::uint64_t seed = crash_seed("server killed mid-push");
    INFO("seed " << seed);
    std::mt19937_64 dice(seed);
    TempDir dir;
    const StoreHome home(dir.file("server"));
    ServerChild server(home.dir, dir.file("server.out"));
    server.start();

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
    for (int round = 1; round <= kKills; ++round) {
        write_offline(*book, customers, round);
        const auto before = outbox_of(*book);
        ever_queued.insert(before.begin(), before.end());
        if (!server.running()) server.start();
        // Aim at a random request of the round, then a random few hundred µs
        // to a few ms into it: before, during and after the store's commit.
        const int batches = static_cast<int>((before.size() + 2) / 3);
        const int target = 1 + static_cast<int>(dice() % static_cast<std::uint64_t>(batches));
        const auto delay = std::chrono::microseconds(dice() % 4000);
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
        CHECK(ours["contacts"].size() == static_cast<std::size_t>(kKills * 12));
    }
    const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::printf("sync crash test (server killed mid-push): %d kills, %d mid-sync, %zu changes pushed, %.1f s\n",
                kKills, kills_mid_sync, ever_queued.size(), seconds);
    // Kills must land while the tablet pushes, or this test proves nothing.
    CHECK(kills_mid_sync >= kKills * 2 / 3);
}

namespace {

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
    const std::uint64_t seed = crash_seed("tablet killed mid-pull");
    INFO("seed " << seed);
    std::mt19937_64 dice(seed);
    TempDir dir;
    const StoreHome home(dir.file("server"));
    ServerChild server(home.dir, dir.file("server.out"));
    server.start();

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
