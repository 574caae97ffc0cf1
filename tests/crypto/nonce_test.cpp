// Nonces never repeat: every page sealed over 100,000 page writes (database,
// WAL and journal) gets a fresh random nonce.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <string>
#include <unordered_set>
#include <vector>

#include "book_fixture.hpp"
#include "forecourt/core/crypto/cipher_vfs.hpp"
#include "forecourt/core/crypto/nonce_pool.hpp"
#include "forecourt/core/storage/database.hpp"

using namespace forecourt;

namespace {

struct NonceLog {
    std::unordered_set<std::string> seen;
    std::size_t writes = 0;
    std::size_t repeats = 0;
};

void record_nonce(const std::uint8_t* nonce, void* context) {
    auto* log = static_cast<NonceLog*>(context);
    ++log->writes;
    if (!log->seen.emplace(reinterpret_cast<const char*>(nonce), crypto::kNonceBytes).second) ++log->repeats;
}

}  // namespace

TEST_CASE("nonces: over 100,000 page writes no nonce repeats") {
    testing::TempDir dir;
    crypto::BookId id{};
    id.fill(7);
    auto vfs = crypto::CipherVfs::create(platform::SecretKey::random(32), id);
    storage::OpenOptions o;
    o.path = dir.file("nonces.db");
    o.vfs = vfs->name();
    o.reserve_bytes = crypto::kPageReserve;
    o.synchronous = storage::Synchronous::off;
    auto db = testing::must(storage::Database::open(o));
    NonceLog log;
    crypto::set_nonce_observer(record_nonce, &log);
    // Small pages, so many page writes cost little: rows rewritten in WAL
    // transactions, checkpointed into the database now and then.
    REQUIRE(db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)").ok());
    REQUIRE(db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) "
                    "INSERT INTO t SELECT i, randomblob(300) FROM n").ok());
    for (int round = 0; log.writes < 100'000 && round < 10'000; ++round)
        REQUIRE(db.exec("UPDATE t SET v = randomblob(300) WHERE k % 4 = " + std::to_string(round % 4)).ok());
    crypto::set_nonce_observer(nullptr, nullptr);
    MESSAGE(log.writes << " page writes sealed");
    CHECK(log.writes >= 100'000);
    CHECK(log.repeats == 0);
    CHECK(log.seen.size() == log.writes);
}

TEST_CASE("nonces: a forked child never draws the nonces its parent will draw") {
    // Nonces are drawn from the OS a block at a time; a child that inherited
    // the parent's block would seal pages with the parent's next nonces.
    using Nonce = std::array<std::uint8_t, crypto::kNonceBytes>;
    constexpr int kEach = 400;  // more than one block's worth
    Nonce first{};
    crypto::draw_nonce(first.data());  // the parent's block is filled now
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(pipe_fds[0]);
        bool ok = true;
        for (int i = 0; i < kEach && ok; ++i) {
            Nonce n{};
            crypto::draw_nonce(n.data());
            ok = ::write(pipe_fds[1], n.data(), n.size()) == static_cast<ssize_t>(n.size());
        }
        ::_exit(ok ? 0 : 1);
    }
    ::close(pipe_fds[1]);
    std::unordered_set<std::string> parent;
    for (int i = 0; i < kEach; ++i) {
        Nonce n{};
        crypto::draw_nonce(n.data());
        parent.emplace(reinterpret_cast<const char*>(n.data()), n.size());
    }
    std::vector<Nonce> child;
    Nonce n{};
    std::size_t got = 0;
    for (ssize_t r; (r = ::read(pipe_fds[0], n.data() + got, n.size() - got)) > 0;) {
        got += static_cast<std::size_t>(r);
        if (got == n.size()) {
            child.push_back(n);
            got = 0;
        }
    }
    ::close(pipe_fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    REQUIRE(child.size() == static_cast<std::size_t>(kEach));
    CHECK(parent.size() == static_cast<std::size_t>(kEach));
    std::size_t shared = 0;
    for (const auto& c : child) shared += parent.count(std::string(reinterpret_cast<const char*>(c.data()), c.size()));
    CHECK(shared == 0);
    MESSAGE("nonces drawn " << (crypto::nonce_pool_is_buffered() ? "a block at a time" : "one system call each"));
}
