// Tampering with an encrypted book's files is detected, each way with its own
// error: a flipped byte in a database page or a WAL frame, two pages swapped,
// a page copied from another book under the same key, a file cut mid-page.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "book_fixture.hpp"
#include "crypto_support.hpp"
#include "forecourt/core/crypto/cipher_vfs.hpp"

using namespace forecourt;
using namespace forecourt::testing;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPage = 4096;
platform::ManualClock g_tamper_clock(1'764'000'000'000, 480);

std::uint32_t seed_for(const char* what) {
    const char* env = std::getenv("FC_SEED");
    const std::uint32_t seed = env ? static_cast<std::uint32_t>(std::strtoul(env, nullptr, 10))
                                   : std::random_device{}();
    MESSAGE(std::string(what) << ": seed " << seed << " (FC_SEED=" << seed << " to replay)");
    return seed;
}

// A closed, checkpointed book with customers on many pages and no free pages.
struct ClosedBook {
    TempDir dir;
    std::string path = dir.file("book.db");
    platform::PassphraseKeyStore keys = test_keys();
    ClosedBook() {
        auto book = create_encrypted(path, g_tamper_clock, keys);
        fill_with_markers(*book);
        auto q = must(storage::Query::prepare(book->db(), "PRAGMA freelist_count"));
        REQUIRE(must(q->step()));
        REQUIRE(q->int64(0) == 0);
    }
    std::size_t pages() const { return fs::file_size(path) / kPage; }
};

// Opens the book and makes SQLite read every page; the first error, if any.
std::optional<Error> open_and_read_all(const std::string& path, platform::KeyStore& keys) {
    auto book = crypto::open_encrypted_book(plain_options(path, g_tamper_clock), keys);
    if (!book.ok()) return book.error();
    auto checked = (*book)->db().exec("PRAGMA integrity_check");
    if (!checked.ok()) return checked.error();
    return std::nullopt;
}

void flip_byte(const std::string& path, std::size_t at) {
    auto bytes = read_bytes(path);
    bytes[at] ^= 0x20;
    write_bytes(path, bytes);
}

}  // namespace

TEST_CASE("tamper: a flipped byte in a database page is tampered, naming the page") {
    ClosedBook b;
    std::mt19937 rng(seed_for("database byte flip"));
    const auto page = std::uniform_int_distribution<std::size_t>(2, b.pages())(rng);
    flip_byte(b.path, (page - 1) * kPage + std::uniform_int_distribution<std::size_t>(0, kPage - 1)(rng));
    const auto error = open_and_read_all(b.path, b.keys);
    REQUIRE(error.has_value());
    CHECK(error->code == ErrorCode::tampered);
    CHECK(error->message.find("page " + std::to_string(page) + " failed authentication") != std::string::npos);
    // Verify names the page first; SQLite's integrity check adds what it could not read.
    auto report = must(crypto::verify_book(b.path, b.keys));
    REQUIRE_FALSE(report.ok());
    CHECK(report.problems[0].find("page " + std::to_string(page) + " failed") != std::string::npos);
}

TEST_CASE("tamper: two swapped pages are tampered, saying they were swapped") {
    ClosedBook b;
    std::mt19937 rng(seed_for("page swap"));
    std::uniform_int_distribution<std::size_t> pick(2, b.pages());
    const auto first = pick(rng);
    auto second = pick(rng);
    while (second == first) second = pick(rng);
    auto bytes = read_bytes(b.path);
    std::swap_ranges(bytes.begin() + static_cast<std::ptrdiff_t>((first - 1) * kPage),
                     bytes.begin() + static_cast<std::ptrdiff_t>(first * kPage),
                     bytes.begin() + static_cast<std::ptrdiff_t>((second - 1) * kPage));
    write_bytes(b.path, bytes);
    const auto error = open_and_read_all(b.path, b.keys);
    REQUIRE(error.has_value());
    CHECK(error->code == ErrorCode::tampered);
    CHECK(error->message.find("swapped") != std::string::npos);
}

TEST_CASE("tamper: a page copied from another book under the same key is tampered") {
    const auto data_key = platform::SecretKey::random(32);
    crypto::BookId id_a{}, id_b{};
    id_a.fill(1);
    id_b.fill(2);
    auto vfs_a = crypto::CipherVfs::create(data_key, id_a);
    auto vfs_b = crypto::CipherVfs::create(data_key, id_b);
    TempDir dir;
    auto make = [&](const std::string& name, const crypto::CipherVfs& vfs) {
        storage::OpenOptions o;
        o.path = dir.file(name);
        o.vfs = vfs.name();
        o.reserve_bytes = crypto::kPageReserve;
        auto db = must(storage::Database::open(o));
        REQUIRE(db.exec("CREATE TABLE t(x TEXT); INSERT INTO t VALUES (hex(randomblob(3000)))").ok());
    };
    make("a.db", *vfs_a);
    make("b.db", *vfs_b);
    auto a = read_bytes(dir.file("a.db"));
    const auto b = read_bytes(dir.file("b.db"));
    std::copy(b.begin() + kPage, b.begin() + 2 * kPage, a.begin() + kPage);
    write_bytes(dir.file("a.db"), a);
    storage::OpenOptions o;
    o.path = dir.file("a.db");
    o.vfs = vfs_a->name();
    auto db = must(storage::Database::open(o));
    const auto read = db.exec("SELECT count(*) FROM t WHERE length(x) > 0");
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().code == ErrorCode::tampered);
    CHECK(read.error().message.find("page 2 failed authentication") != std::string::npos);
}

TEST_CASE("tamper: a database cut mid-page is corrupt, saying it is truncated") {
    ClosedBook b;
    fs::resize_file(b.path, fs::file_size(b.path) - 1000);
    const auto error = open_and_read_all(b.path, b.keys);
    REQUIRE(error.has_value());
    CHECK(error->code == ErrorCode::corrupt);
    CHECK(error->message.find("truncated") != std::string::npos);
    auto report = must(crypto::verify_book(b.path, b.keys));
    CHECK_FALSE(report.ok());
}

TEST_CASE("tamper: a flipped byte in a committed WAL frame is tampered, naming the frame") {
    TempDir live, copy;
    auto keys = test_keys();
    auto book = create_encrypted(live.file("book.db"), g_tamper_clock, keys);
    REQUIRE(book->db().exec("PRAGMA wal_autocheckpoint=0").ok());
    for (int i = 0; i < 6; ++i) add_prospects(*book, 3, 500, "frame" + std::to_string(i));
    // What a thief copying the files of an open book (or a crashed one) gets.
    for (const char* name : {"book.db", "book.db-wal", "book.key"}) copy_file(live.file(name), copy.file(name));
    book.reset();
    const auto wal = read_bytes(copy.file("book.db-wal"));
    const std::size_t frame_bytes = 24 + kPage;
    std::vector<std::size_t> commits;
    for (std::size_t f = 0; 32 + (f + 1) * frame_bytes <= wal.size(); ++f) {
        const auto* h = &wal[32 + f * frame_bytes];
        if (h[4] | h[5] | h[6] | h[7]) commits.push_back(f);
    }
    REQUIRE(commits.size() >= 3);
    std::mt19937 rng(seed_for("WAL byte flip"));
    // Frames of any transaction but the last two can be told from a crash (see ARCHITECTURE.md).
    const auto frame = std::uniform_int_distribution<std::size_t>(0, commits[commits.size() - 2] - 1)(rng);
    const auto offset = std::uniform_int_distribution<std::size_t>(24, frame_bytes - 1)(rng);
    flip_byte(copy.file("book.db-wal"), 32 + frame * frame_bytes + offset);
    const auto error = open_and_read_all(copy.file("book.db"), keys);
    REQUIRE(error.has_value());
    CHECK(error->code == ErrorCode::tampered);
    CHECK(error->message.find("WAL frame " + std::to_string(frame + 1)) != std::string::npos);
    auto report = must(crypto::verify_book(copy.file("book.db"), keys));
    REQUIRE_FALSE(report.ok());
    CHECK(report.problems[0].find("frame " + std::to_string(frame + 1)) != std::string::npos);
}

TEST_CASE("tamper: an intact copy of an open book's files opens with every committed write") {
    TempDir live, copy;
    auto keys = test_keys();
    auto book = create_encrypted(live.file("book.db"), g_tamper_clock, keys);
    REQUIRE(book->db().exec("PRAGMA wal_autocheckpoint=0").ok());
    const auto ids = add_prospects(*book, 10, 500, "copied");
    for (const char* name : {"book.db", "book.db-wal", "book.key"}) copy_file(live.file(name), copy.file(name));
    auto reopened = open_encrypted(copy.file("book.db"), g_tamper_clock, keys);
    for (const auto& id : ids) CHECK(reopened->customer(id).ok());
    CHECK(must(crypto::verify_book(copy.file("book.db"), keys)).ok());
}
