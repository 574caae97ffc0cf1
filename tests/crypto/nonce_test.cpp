// Nonces never repeat: every page sealed over 100,000 page writes (database,
// WAL and journal) gets a fresh random nonce.
#include <doctest/doctest.h>

#include <string>
#include <unordered_set>

#include "book_fixture.hpp"
#include "forecourt/core/crypto/cipher_vfs.hpp"
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
