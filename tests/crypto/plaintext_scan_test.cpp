// No plaintext on disk: marker strings written to every kind of field are
// searched for in the raw bytes of every file beside the book, with a write
// transaction open, with WAL frames not yet checkpointed, after a checkpoint
// and after a crash. The same scan of a plain book finds them.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include "book_fixture.hpp"
#include "crypto_support.hpp"
#include "forecourt/core/storage/transaction.hpp"

using namespace forecourt;
using namespace forecourt::testing;

namespace {

platform::ManualClock g_scan_clock(1'764'000'000'000, 480);

std::string describe(const std::vector<std::string>& hits) {
    std::string out;
    for (const auto& hit : hits) out += hit + "; ";
    return out;
}

}  // namespace

TEST_CASE("plaintext scan: the scan finds markers in a plain book, so it can fail") {
    TempDir dir;
    auto book = must(Book::create(plain_options(dir.file("book.db"), g_scan_clock), NewBook{"MarkerConsultantZq", "", ""}));
    fill_with_markers(*book);
    CHECK(find_markers(dir.path().string()).size() >= 5);
}

TEST_CASE("plaintext scan: no marker in any file with uncheckpointed WAL frames and an open write") {
    TempDir dir;
    auto keys = test_keys();
    auto book = create_encrypted(dir.file("book.db"), g_scan_clock, keys);
    REQUIRE(book->db().exec("PRAGMA wal_autocheckpoint=0").ok());
    fill_with_markers(*book);
    CHECK(std::filesystem::file_size(dir.file("book.db-wal")) > 100'000);
    auto tx = must(storage::Transaction::begin(book->db()));
    REQUIRE(book->db().exec("UPDATE customers SET name = 'MarkerNameQx-open' WHERE rowid = 1").ok());
    const auto hits = find_markers(dir.path().string());
    CHECK_MESSAGE(hits.empty(), describe(hits));
    tx.rollback();
}

TEST_CASE("plaintext scan: no marker after a checkpoint, nor after closing") {
    TempDir dir;
    auto keys = test_keys();
    auto book = create_encrypted(dir.file("book.db"), g_scan_clock, keys);
    fill_with_markers(*book);
    REQUIRE(book->db().exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
    auto hits = find_markers(dir.path().string());
    CHECK_MESSAGE(hits.empty(), describe(hits));
    book.reset();
    hits = find_markers(dir.path().string());
    CHECK_MESSAGE(hits.empty(), describe(hits));
}

TEST_CASE("plaintext scan: no marker after a writer is killed mid-way") {
    TempDir dir;
    auto keys = test_keys();
    create_encrypted(dir.file("book.db"), g_scan_clock, keys).reset();
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const int pid = spawn([&] {
        auto book = open_encrypted(dir.file("book.db"), g_scan_clock, keys);
        (void)book->db().exec("PRAGMA wal_autocheckpoint=0");
        fill_with_markers(*book);
        (void)::write(ready[1], "x", 1);
        for (;;) fill_with_markers(*book);
    });
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    ::kill(pid, SIGKILL);
    CHECK(wait_exit(pid) == 128 + SIGKILL);
    ::close(ready[0]);
    ::close(ready[1]);
    auto hits = find_markers(dir.path().string());
    CHECK_MESSAGE(hits.empty(), describe(hits));
    auto book = open_encrypted(dir.file("book.db"), g_scan_clock, keys);
    CHECK(must(book->find("MarkerNameQx")).size() >= 20);
    hits = find_markers(dir.path().string());
    CHECK_MESSAGE(hits.empty(), describe(hits));
}

TEST_CASE("plaintext scan: a rollback-journal book keeps its journal sealed too") {
    TempDir dir;
    auto keys = test_keys();
    auto book = create_encrypted(dir.file("book.db"), g_scan_clock, keys);
    REQUIRE(book->db().exec("PRAGMA journal_mode=DELETE; PRAGMA journal_mode=PERSIST").ok());
    fill_with_markers(*book);
    fill_with_markers(*book);  // rewrites pages, so their old versions go to the journal
    CHECK(std::filesystem::exists(dir.file("book.db-journal")));
    const auto hits = find_markers(dir.path().string());
    CHECK_MESSAGE(hits.empty(), describe(hits));
}
