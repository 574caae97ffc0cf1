// The batched-WAL VFS the store server opens its database with: a
// transaction's frames reach the file in few writes, and yet every commit is
// in the file — for other connections and after the process dies — as soon
// as SQLite reports it, whatever the synchronous setting.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "checks.hpp"
#include "forecourt/core/storage/batched_wal_vfs.hpp"
#include "forecourt/core/storage/database.hpp"
#include "forecourt/core/storage/transaction.hpp"
#include "temp_dir.hpp"

using namespace forecourt;
using storage::Database;
using storage::Query;
using storage::Synchronous;
using testing::must;

namespace {

Database open_db(const std::string& path, Synchronous synchronous, bool batched) {
    storage::OpenOptions o;
    o.path = path;
    o.synchronous = synchronous;
    if (batched) o.vfs = storage::batched_wal_vfs();
    return must(Database::open(o));
}

// A writer whose transactions spill pages mid-way (a cache of 20 pages) and
// restart the WAL often (a checkpoint every 100 pages): SQLite then rewrites
// frames in place and writes new WAL headers, besides appending frames.
Database open_writer(const std::string& path, Synchronous synchronous) {
    auto db = open_db(path, synchronous, true);
    must(db.exec("PRAGMA cache_size=20; PRAGMA wal_autocheckpoint=100"));
    must(db.exec("CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY, note TEXT NOT NULL)"));
    must(db.exec("CREATE INDEX IF NOT EXISTS visits_by_note ON visits(note)"));
    return db;
}

// One transaction of `rows` visits with random notes (scattered index pages).
void record_visits(Database& db, int rows) {
    auto tx = must(storage::Transaction::begin(db));
    for (int i = 0; i < rows; ++i) must(db.exec("INSERT INTO visits (note) VALUES (hex(randomblob(100)))"));
    must(tx.commit());
}

std::int64_t scalar(Database& db, const std::string& sql) {
    auto q = must(Query::prepare(db, sql));
    must(q->step());
    return q->int64(0);
}

std::string integrity(Database& db) {
    auto q = must(Query::prepare(db, "PRAGMA integrity_check"));
    must(q->step());
    return q->text(0);
}

}  // namespace

TEST_CASE("batched WAL: a transaction's frames reach the file in a few writes") {
    testing::TempDir dir;
    auto db = open_db(dir.file("store.db"), Synchronous::full, true);
    must(db.exec("CREATE TABLE visits (id INTEGER PRIMARY KEY, note TEXT NOT NULL)"));
    const auto before = storage::batched_wal_counts();
    record_visits(db, 500);
    const auto after = storage::batched_wal_counts();
    const auto asked = after.asked - before.asked;
    const auto written = after.written - before.written;
    CAPTURE(asked);
    CAPTURE(written);
    CHECK(asked > 40);  // SQLite wrote a header and a page for each of some 25 frames
    CHECK(written * 10 <= asked);

    auto plain = open_db(dir.file("store.db"), Synchronous::full, false);
    CHECK(scalar(plain, "SELECT count(*) FROM visits") == 500);
    CHECK(integrity(plain) == "ok");
}

TEST_CASE("batched WAL: another connection sees each commit at once, whatever the synchronous setting") {
    for (const auto synchronous : {Synchronous::off, Synchronous::normal, Synchronous::full}) {
        CAPTURE(static_cast<int>(synchronous));
        testing::TempDir dir;
        auto writer = open_writer(dir.file("store.db"), synchronous);
        auto reader = open_db(dir.file("store.db"), Synchronous::full, false);
        for (int round = 1; round <= 30; ++round) {
            record_visits(writer, 40 * round);
            REQUIRE(scalar(reader, "SELECT count(*) FROM visits") == 20 * round * (round + 1));
        }
        CHECK(integrity(reader) == "ok");
        CHECK(integrity(writer) == "ok");
    }
}

TEST_CASE("batched WAL: a commit is in the file when the process dies right after it") {
    // With synchronous=OFF nothing is ever synced, and with no checkpoint
    // nothing reads the WAL back: only what the VFS writes at each commit
    // puts the frames in the file. Small transactions (held whole) alternate
    // with ones that spill and rewrite frames in place; either kind is last.
    for (const bool spilling_last : {false, true}) {
        CAPTURE(spilling_last);
        testing::TempDir dir;
        const std::string path = dir.file("store.db");
        const pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            try {
                auto writer = open_writer(path, Synchronous::off);
                must(writer.exec("PRAGMA wal_autocheckpoint=0"));
                for (int round = 0; round < 12; ++round) {
                    record_visits(writer, spilling_last ? 3 : 150);
                    record_visits(writer, spilling_last ? 150 : 3);
                }
                ::kill(::getpid(), SIGKILL);  // no close, no flush: as a crash would leave it
            } catch (...) {
            }
            ::_exit(1);  // a step failed
        }
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);

        auto plain = open_db(path, Synchronous::full, false);
        CHECK(scalar(plain, "SELECT count(*) FROM visits") == 12 * 153);
        CHECK(integrity(plain) == "ok");
    }
}
