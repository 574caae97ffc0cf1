// The encrypting VFS below the Book API: the rollback journal after a crash,
// no temporary files on disk, memory mapping declined, other page sizes, large
// values read in parts, and writes it cannot place refused.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <array>
#include <filesystem>

#include "book_fixture.hpp"
#include "crypto_support.hpp"
#include "forecourt/core/crypto/cipher_vfs.hpp"
#include "forecourt/core/storage/database.hpp"

using namespace forecourt;
using namespace forecourt::testing;
namespace fs = std::filesystem;

namespace {

// The first line PRAGMA integrity_check reports: "ok" when nothing is wrong.
std::string integrity(storage::Database& db) {
    auto q = must(storage::Query::prepare(db, "PRAGMA integrity_check"));
    REQUIRE(must(q->step()));
    return q->text(0);
}

}  // namespace

TEST_CASE("vfs: a rollback-journal transaction killed mid-way is rolled back from the sealed journal") {
    SealedDatabase s;
    {
        auto db = s.open(false);
        REQUIRE(db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT);"
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                        "INSERT INTO t SELECT i, 'committed' || hex(randomblob(200)) FROM n").ok());
        REQUIRE(db.exec("PRAGMA cache_size=10").ok());
    }
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const int pid = spawn([&] {
        auto db = s.open(false);
        (void)db.exec("PRAGMA cache_size=10; BEGIN");
        // A small cache makes SQLite spill changed pages into the database file
        // before commit; only the journal can undo them.
        (void)db.exec("UPDATE t SET v = 'uncommitted' || hex(randomblob(200))");
        (void)::write(ready[1], "x", 1);
        ::pause();
    });
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    CHECK(fs::exists(s.dir.file("sealed.db-journal")));
    ::kill(pid, SIGKILL);
    wait_exit(pid);
    ::close(ready[0]);
    ::close(ready[1]);
    auto db = s.open(false);
    CHECK(scalar(db, "SELECT count(*) FROM t WHERE v LIKE 'committed%'") == 2000);
    CHECK(integrity(db) == "ok");
}

TEST_CASE("vfs: temporary files are refused rather than written in the clear") {
    SealedDatabase s;
    auto db = s.open();
    REQUIRE(db.exec("CREATE TABLE t(x)").ok());
    // SQLite creates a temporary file only when its cache spills: make it spill.
    const std::string fill =
        "CREATE TEMP TABLE scratch(x); PRAGMA temp.cache_size=5;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
        "INSERT INTO scratch SELECT 'MarkerNoteVw' || hex(randomblob(100)) FROM n";
    REQUIRE(db.exec("PRAGMA temp_store=FILE").ok());
    const auto refused = db.exec(fill);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("unable to open") != std::string::npos);
    REQUIRE(db.exec("PRAGMA temp_store=MEMORY").ok());
    CHECK(db.exec(fill).ok());
    CHECK(find_markers(s.dir.path().string()).empty());
}

TEST_CASE("vfs: memory-mapped reads are declined, so every page is still authenticated") {
    SealedDatabase s;
    auto db = s.open();
    REQUIRE(db.exec("PRAGMA mmap_size=67108864; CREATE TABLE t(x);"
                    "INSERT INTO t SELECT hex(randomblob(100)) FROM (SELECT 1 UNION SELECT 2)").ok());
    CHECK(scalar(db, "PRAGMA mmap_size") == 0);
    CHECK(scalar(db, "SELECT count(*) FROM t") == 2);
}

TEST_CASE("vfs: large values spread over overflow pages read back whole, on any page size") {
    for (int page_size : {1024, 4096, 16384}) {
        CAPTURE(page_size);
        SealedDatabase s;
        {
            auto db = s.open(false);
            REQUIRE(db.exec("PRAGMA page_size=" + std::to_string(page_size) + "; PRAGMA journal_mode=WAL;"
                            "CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)").ok());
            REQUIRE(db.exec("INSERT INTO t VALUES (1, zeroblob(200000)), (2, randomblob(150000))").ok());
            REQUIRE(db.exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
        }
        auto db = s.open();
        CHECK(scalar(db, "PRAGMA page_size") == page_size);
        CHECK(scalar(db, "SELECT length(v) FROM t WHERE k = 1") == 200000);
        CHECK(scalar(db, "SELECT sum(length(v)) FROM t") == 350000);
        CHECK(scalar(db, "SELECT count(*) FROM t WHERE k = 1 AND v = zeroblob(200000)") == 1);
        CHECK(integrity(db) == "ok");
    }
}

TEST_CASE("vfs: a database without room for nonce and tag is never written") {
    SealedDatabase s;
    auto options = s.options(false);
    options.reserve_bytes = 0;
    auto db = storage::Database::open(options);
    const auto created = db.ok() ? db->exec("CREATE TABLE t(x)") : Status(db.error());
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().message.find("reserves 0 bytes") != std::string::npos);
    CHECK(fs::file_size(s.dir.file("sealed.db")) == 0);
}

TEST_CASE("vfs: the database header keeps page size and reserve readable, nothing else") {
    SealedDatabase s;
    {
        auto db = s.open();
        REQUIRE(db.exec("CREATE TABLE t(x); INSERT INTO t VALUES ('MarkerNoteVw')").ok());
    }
    const auto bytes = read_bytes(s.dir.file("sealed.db"));
    REQUIRE(bytes.size() >= 4096);
    CHECK(std::string(bytes.begin(), bytes.begin() + 15) != "SQLite format 3");
    CHECK(bytes[16] == 0x10);  // 4096
    CHECK(bytes[20] == crypto::kPageReserve);
    CHECK(crypto::inspect_database_file(s.dir.file("sealed.db")) == crypto::FileFormat::encrypted);
}

TEST_CASE("vfs: a WAL transaction larger than the page cache commits whole and survives a reopen") {
    // With a tiny cache SQLite writes changed pages into the WAL before commit,
    // overwrites some of those frames again in place, and at commit re-reads
    // the frames' checksums to chain them anew: every step goes through the VFS.
    const std::string big_transaction =
        "PRAGMA cache_size=8; BEGIN;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
        "INSERT INTO t SELECT i, 'first' || hex(randomblob(120)) FROM n;"
        "UPDATE t SET v = 'second' || hex(randomblob(120)) WHERE k % 7 = 0;"
        "COMMIT";
    for (int page_size : {1024, 4096}) {
        for (bool left_in_wal : {false, true}) {
            CAPTURE(page_size);
            CAPTURE(left_in_wal);
            SealedDatabase s;
            {
                auto db = s.open(false);
                REQUIRE(db.exec("PRAGMA page_size=" + std::to_string(page_size) +
                                "; PRAGMA journal_mode=WAL; CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)").ok());
            }
            if (left_in_wal) {
                // The writer exits without closing: no checkpoint, so the next
                // open must recover the commit from the WAL's frames alone.
                const int pid = spawn([&] {
                    auto db = s.open();
                    const bool ok = db.exec(big_transaction).ok() && scalar(db, "SELECT count(*) FROM t") == 3000;
                    ::_exit(ok ? 0 : 1);
                });
                REQUIRE(wait_exit(pid) == 0);
                REQUIRE(fs::file_size(s.dir.file("sealed.db-wal")) > 0);
            } else {
                auto db = s.open();
                REQUIRE(db.exec(big_transaction).ok());
                CHECK(scalar(db, "SELECT count(*) FROM t") == 3000);
            }
            auto db = s.open();
            CHECK(scalar(db, "SELECT count(*) FROM t") == 3000);
            CHECK(scalar(db, "SELECT count(*) FROM t WHERE v LIKE 'second%'") == 428);
            CHECK(integrity(db) == "ok");
            REQUIRE(db.exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
            CHECK(scalar(db, "SELECT count(*) FROM t WHERE v LIKE 'first%'") == 2572);
        }
    }
}

TEST_CASE("vfs: a transaction's WAL frames reach the file in one write, at its commit") {
    SealedDatabase s;
    auto db = s.open();
    REQUIRE(db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_by_v ON t(v)").ok());
    auto other = s.open();
    REQUIRE(scalar(other, "SELECT count(*) FROM t") == 0);
    const auto before = crypto::wal_write_counters(db.handle());
    REQUIRE(before);
    // Rows too large to share a page, in the table and in its index, and page 1
    // for the file's new size: several frames, one commit.
    REQUIRE(db.exec("INSERT INTO t(v) SELECT hex(randomblob(1500)) FROM "
                    "(SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)").ok());
    const auto after = crypto::wal_write_counters(db.handle());
    REQUIRE(after);
    CHECK(after->frames - before->frames >= 4);
    CHECK(after->writes - before->writes == 1);
    // Published to other connections only once on disk: they read it at once.
    CHECK(scalar(other, "SELECT count(*) FROM t") == 3);
    CHECK(integrity(other) == "ok");

    storage::OpenOptions plain_options;
    plain_options.path = s.dir.file("plain.db");
    storage::Database plain = must(storage::Database::open(plain_options));
    CHECK_FALSE(crypto::wal_write_counters(plain.handle()));
}

TEST_CASE("vfs: two connections take turns writing while each restarts the WAL under the other") {
    // Each connection keeps the WAL's salts between frames. After the other
    // connection has checkpointed and restarted the WAL with new salts, frames
    // sealed with the old ones would fail authentication on the next read.
    SealedDatabase s;
    auto a = s.open();
    auto b = s.open();
    REQUIRE(a.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, who TEXT, v BLOB)").ok());
    std::array<storage::Database*, 2> writers{&a, &b};
    const std::array<std::string, 2> names{"a", "b"};
    for (int round = 0; round < 24; ++round) {
        CAPTURE(round);
        const std::size_t w = static_cast<std::size_t>(round % 2);
        auto& writer = *writers[w];
        auto& other = *writers[1 - w];
        REQUIRE(writer.exec("INSERT INTO t(who, v) SELECT '" + names[w] + "', randomblob(900) "
                            "FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)").ok());
        // The other connection reads the new frames, then empties the WAL:
        // the next write starts a new WAL generation, with new salts.
        CHECK(scalar(other, "SELECT count(*) FROM t") == 3 * (round + 1));
        const char* mode = round % 3 == 0 ? "TRUNCATE" : round % 3 == 1 ? "RESTART" : "PASSIVE";
        REQUIRE(other.exec(std::string("PRAGMA wal_checkpoint(") + mode + ")").ok());
    }
    CHECK(scalar(a, "SELECT count(*) FROM t WHERE who = 'b'") == 36);
    CHECK(integrity(b) == "ok");
    auto reopened = s.open();
    CHECK(scalar(reopened, "SELECT count(*) FROM t") == 72);
    CHECK(integrity(reopened) == "ok");
}
