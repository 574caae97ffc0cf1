// Crashes with encryption on: a writer and a rekey are killed with SIGKILL at
// random moments. Every acknowledged write survives, the book opens with its
// passphrase and verifies clean. Seeds are printed; FC_SEED replays one.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "book_fixture.hpp"
#include "crypto_support.hpp"

using namespace forecourt;
using namespace forecourt::testing;

namespace {

platform::ManualClock g_crash_clock(1'764'000'000'000, 480);

std::uint32_t crash_seed() {
    const char* env = std::getenv("FC_SEED");
    const std::uint32_t seed = env ? static_cast<std::uint32_t>(std::strtoul(env, nullptr, 10))
                                   : std::random_device{}();
    MESSAGE("crash test seed " << seed << " (FC_SEED=" << seed << " to replay)");
    return seed;
}

// Ids the child acknowledged (written to the pipe only after the call returned),
// appended to what `buffer` already holds.
std::set<std::string> read_acknowledged(int fd, std::string buffer) {
    std::set<std::string> ids;
    char chunk[4096];
    for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;) buffer.append(chunk, static_cast<std::size_t>(n));
    for (std::size_t start = 0, end; (end = buffer.find('\n', start)) != std::string::npos; start = end + 1)
        ids.insert(buffer.substr(start, end - start));
    return ids;
}

void check_book(const std::string& path, platform::KeyStore& keys, const std::set<std::string>& ids) {
    auto book = crypto::open_encrypted_book(plain_options(path, g_crash_clock), keys);
    REQUIRE_MESSAGE(book.ok(), book.error().describe());
    for (const auto& id : ids) CHECK_MESSAGE((*book)->customer(id).ok(), "lost acknowledged write " << id);
    book->reset();
    auto report = must(crypto::verify_book(path, keys));
    CHECK_MESSAGE(report.ok(), (report.ok() ? "" : report.problems.front()));
}

}  // namespace

TEST_CASE("crash: a writer killed at random moments loses no acknowledged write") {
    TempDir dir;
    const std::string path = dir.file("book.db");
    auto keys = test_keys();
    create_encrypted(path, g_crash_clock, keys).reset();
    std::mt19937 rng(crash_seed());
    std::set<std::string> acknowledged;
    for (int kill = 0; kill < 20; ++kill) {
        int pipe_fds[2];
        REQUIRE(::pipe(pipe_fds) == 0);
        const int pid = spawn([&] {
            ::close(pipe_fds[0]);
            auto book = open_encrypted(path, g_crash_clock, keys);
            for (int i = 0;; ++i) {
                const auto id = add_prospects(*book, 1, 1500, "k" + std::to_string(kill)).front();
                const std::string line = id + "\n";
                if (::write(pipe_fds[1], line.data(), line.size()) < 0) return;
                if (i % 7 == 0) (void)book->db().exec("PRAGMA wal_checkpoint(PASSIVE)");
            }
        });
        ::close(pipe_fds[1]);
        // The random moment counts from the first acknowledged write, so a slow
        // start (a loaded machine, a sanitizer build) cannot leave it empty.
        char first[256];
        const ssize_t got = ::read(pipe_fds[0], first, sizeof first);
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 250)(rng)));
        ::kill(pid, SIGKILL);
        wait_exit(pid);
        const auto ids = read_acknowledged(pipe_fds[0], std::string(first, got > 0 ? static_cast<std::size_t>(got) : 0));
        ::close(pipe_fds[0]);
        acknowledged.insert(ids.begin(), ids.end());
        check_book(path, keys, acknowledged);
    }
    MESSAGE(acknowledged.size() << " acknowledged writes survived 20 kills");
    CHECK(acknowledged.size() > 20);
}

TEST_CASE("crash: a rekey killed at random moments leaves the book whole under the old or new key") {
    TempDir dir;
    const std::string path = dir.file("book.db");
    auto keys = test_keys();
    std::set<std::string> ids;
    {
        BookOptions options = plain_options(path, g_crash_clock);
        options.synchronous = storage::Synchronous::off;  // filling only; the kills come later
        auto book = must(crypto::create_encrypted_book(options, keys, NewBook{"李娜", "", ""}));
        for (int batch = 0; batch < 6; ++batch)
            for (const auto& id : add_prospects(*book, 150, 2500, "r" + std::to_string(batch))) ids.insert(id);
    }
    REQUIRE(std::filesystem::file_size(path) > 3'000'000);
    crypto::RekeyOptions slow;
    slow.pages_per_step = 8;
    const auto start = std::chrono::steady_clock::now();
    const auto first = crypto::rekey_book(path, keys, slow);
    REQUIRE_MESSAGE(first.ok(), (first.ok() ? "" : first.error().describe()));
    const auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    MESSAGE("one rekey of " << std::filesystem::file_size(path) << " bytes takes " << full.count() << " us");
    std::mt19937 rng(crash_seed());
    int key_changed = 0;
    for (int kill = 0; kill < 20; ++kill) {
        const auto key_before = read_bytes(dir.file("book.key"));
        const int pid = spawn([&] {
            if (!crypto::rekey_book(path, keys, slow).ok()) ::_exit(4);
        });
        const auto delay = std::uniform_int_distribution<long>(0, full.count() * 2)(rng);
        std::this_thread::sleep_for(std::chrono::microseconds(delay));
        ::kill(pid, SIGKILL);
        const int status = wait_exit(pid);
        CHECK((status == 0 || status == 128 + SIGKILL));
        check_book(path, keys, ids);
        if (read_bytes(dir.file("book.key")) != key_before) ++key_changed;
    }
    MESSAGE("the new key had committed in " << key_changed << " of 20 kills");
}
