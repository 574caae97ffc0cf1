// Crash safety of the tablet's book: a writer killed with SIGKILL at random
// moments never loses a contact it acknowledged, never leaves a damaged file,
// and never commits a contact without its outbox row.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "book_fixture.hpp"
#include "forecourt/core/book.hpp"
#include "forecourt/platform/random.hpp"
#include "temp_dir.hpp"

using namespace forecourt;
using testing::must;

namespace {

constexpr int kKills = 24;
constexpr int kMinDelayMs = 5;
constexpr int kMaxDelayMs = 150;
// Far longer than opening a book and committing one contact ever takes.
constexpr auto kFirstAckTimeout = std::chrono::seconds(20);

// FC_CRASH_SEED replays the same kill delays; otherwise a fresh seed each run.
std::uint64_t crash_seed() {
    if (const char* text = std::getenv("FC_CRASH_SEED"); text && *text)
        return std::strtoull(text, nullptr, 10);
    return platform::random_u64();
}

// The child's whole life: record contacts, each its own transaction, and
// acknowledge each one (its id on a line) only once record_contact returned.
// Never returns; exit codes tell the parent what went wrong.
[[noreturn]] void record_until_killed(const std::string& path,
                                      const std::vector<std::string>& customers, int ack_fd) {
    try {
        auto book = Book::open(testing::book_options(path, platform::system_clock()));
        if (!book.ok()) _exit(3);
        for (std::size_t n = 0;; ++n) {
            ContactInput in{customers[n % customers.size()],
                            "phone_call",
                            "keep_in_touch",
                            "回访",
                            std::nullopt,
                            std::nullopt,
                            std::nullopt,
                            std::nullopt};
            // Every third contact also plans a follow-up in the same transaction.
            if (n % 3 == 0) in.next_contact = "2026-01-15";
            auto id = (*book)->record_contact(in);
            if (!id.ok()) _exit(4);
            const std::string line = *id + "\n";
            // One write of < PIPE_BUF bytes: the parent sees the whole line or none of it.
            if (write(ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
                _exit(5);
        }
    } catch (...) {
        _exit(6);
    }
}

// Appends whatever the child has acknowledged so far; false at end of file.
bool drain(int fd, std::string& received) {
    char buffer[4096];
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) received.append(buffer, static_cast<std::size_t>(n));
    return n > 0;
}

struct Round {
    std::vector<std::string> acknowledged;
    int wait_status = 0;
};

using Clock = std::chrono::steady_clock;

// Reads acknowledgements until `deadline`, or until the first one when
// `until_first` (then returns early); false if the writer closed the pipe.
bool read_until(int fd, std::string& received, Clock::time_point deadline, bool until_first) {
    for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
        if (until_first && received.find('\n') != std::string::npos) return true;
        pollfd p{fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        if (poll(&p, 1, static_cast<int>(left.count()) + 1) > 0 && !drain(fd, received))
            return false;
    }
    return true;
}

// Forks a writer and kills it with SIGKILL `delay_ms` after it started, or
// after its first acknowledgement when `after_first_ack` (so the kill lands
// among the writes however slowly the book opens). Collects every id it
// acknowledged before dying; the pipe is read all along, so it never blocks.
Round run_and_kill(const std::string& path, const std::vector<std::string>& customers, int delay_ms,
                   bool after_first_ack) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    std::fflush(nullptr);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        close(fds[0]);
        record_until_killed(path, customers, fds[1]);
    }
    close(fds[1]);
    std::string received;
    bool open = true;
    if (after_first_ack) open = read_until(fds[0], received, Clock::now() + kFirstAckTimeout, true);
    if (open)
        read_until(fds[0], received, Clock::now() + std::chrono::milliseconds(delay_ms), false);
    kill(child, SIGKILL);
    while (drain(fds[0], received)) {
    }
    close(fds[0]);
    Round round;
    REQUIRE(waitpid(child, &round.wait_status, 0) == child);
    for (std::size_t start = 0, end; (end = received.find('\n', start)) != std::string::npos;
         start = end + 1)
        round.acknowledged.push_back(received.substr(start, end - start));
    return round;
}

std::vector<std::string> column(storage::Database& db, const std::string& sql) {
    auto q = must(storage::Query::prepare(db, sql));
    std::vector<std::string> out;
    while (must(q->step())) out.push_back(q->text(0));
    return out;
}

std::string first_few(const std::vector<std::string>& ids) {
    std::string out;
    for (std::size_t i = 0; i < ids.size() && i < 3; ++i) out += ids[i] + " ";
    return out + "(" + std::to_string(ids.size()) + " in all)";
}

// Reopens the book as the app would after the crash and checks what survived.
void check_survivors(const std::string& path, const std::set<std::string>& acknowledged) {
    auto book = must(Book::open(testing::book_options(path, platform::system_clock())),
                     "reopening the book");
    auto& db = book->db();
    CHECK(column(db, "PRAGMA integrity_check") == std::vector<std::string>{"ok"});
    const auto stored = column(db, "SELECT id FROM contacts");
    const std::set<std::string> contacts(stored.begin(), stored.end());
    const auto captured = column(db, "SELECT record_id FROM outbox WHERE tbl = 'contacts'");
    const std::set<std::string> outbox(captured.begin(), captured.end());
    std::vector<std::string> lost, uncaptured;
    for (const auto& id : acknowledged)
        if (!contacts.contains(id)) lost.push_back(id);
    for (const auto& id : contacts)
        if (!outbox.contains(id)) uncaptured.push_back(id);
    CHECK_MESSAGE(lost.empty(),
                  "acknowledged contacts missing after the crash: " << first_few(lost));
    CHECK_MESSAGE(uncaptured.empty(),
                  "contacts without their outbox row: " << first_few(uncaptured));
    // A contact that plans a follow-up commits both or neither.
    const auto planned = column(db, "SELECT count(*) FROM contacts WHERE next_contact IS NOT NULL");
    const auto follow_ups = column(db, "SELECT count(*) FROM follow_ups");
    CHECK(planned == follow_ups);
}

}  // namespace

TEST_CASE("crash: a writer killed with SIGKILL at random moments loses no acknowledged contact") {
    const std::uint64_t seed = crash_seed();
    std::printf("test_crash: seed %llu (FC_CRASH_SEED=%llu replays these kill delays)\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
    INFO("seed " << seed);
    testing::TempDir dir;
    const std::string path = dir.file("book.db");
    std::vector<std::string> customers;
    {
        auto book = must(Book::create(testing::book_options(path, platform::system_clock()),
                                      NewBook{"李娜", "", "store-1"}));
        for (const char* phone : {"13800138001", "13800138002", "13800138003"}) {
            ProspectInput p;
            p.name = "王伟";
            p.phones = {phone};
            p.grade = "B";
            p.source = "walk_in";
            customers.push_back(must(book->register_prospect(p)));
        }
    }
    std::mt19937_64 dice(seed);
    std::set<std::string> acknowledged;
    int rounds_with_writes = 0;
    for (int kill_number = 1; kill_number <= kKills; ++kill_number) {
        const int delay = kMinDelayMs + static_cast<int>(dice() % (kMaxDelayMs - kMinDelayMs + 1));
        INFO("kill " << kill_number << " after " << delay << " ms");
        // Every fourth kill counts from the start, so some land while the
        // writer opens (and recovers) the book.
        const Round round = run_and_kill(path, customers, delay, kill_number % 4 != 0);
        REQUIRE_MESSAGE(
            WIFSIGNALED(round.wait_status),
            "the writer stopped by itself with exit code " << WEXITSTATUS(round.wait_status));
        REQUIRE(WTERMSIG(round.wait_status) == SIGKILL);
        acknowledged.insert(round.acknowledged.begin(), round.acknowledged.end());
        rounds_with_writes += round.acknowledged.empty() ? 0 : 1;
        check_survivors(path, acknowledged);
    }
    std::printf("test_crash: %d kills, %zu contacts acknowledged, %d kills while writing\n", kKills,
                acknowledged.size(), rounds_with_writes);
    // Kills must land while contacts are being written, or this test proves nothing.
    CHECK(rounds_with_writes >= kKills * 3 / 4);
    CHECK(acknowledged.size() >= static_cast<std::size_t>(kKills));
}
