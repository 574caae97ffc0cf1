// Encrypted books through the vault: create, reopen, wrong passphrase, missing
// or damaged key file, plain and encrypted books opened the wrong way, change
// of passphrase, wipe.
#include <doctest/doctest.h>

#include <ctime>
#include <filesystem>

#include "book_fixture.hpp"
#include "crypto_support.hpp"
#include "forecourt/core/crypto/book_vault.hpp"

using namespace forecourt;
using namespace forecourt::testing;
namespace fs = std::filesystem;

namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct EncryptedBook {
    TempDir dir;
    platform::ManualClock clock{1'764'000'000'000, 480};
    std::string path = dir.file("book.db");
    platform::PassphraseKeyStore keys = test_keys();
    std::string prospect;

    EncryptedBook() {
        auto book = create_encrypted(path, clock, keys);
        ProspectInput p;
        p.name = "王伟";
        p.phones = {"13800138000"};
        p.source = "walk_in";
        prospect = must(book->register_prospect(p));
    }
};

}  // namespace

TEST_CASE("book vault: an encrypted book reopens with its passphrase and keeps its records") {
    EncryptedBook b;
    CHECK(fs::exists(b.dir.file("book.key")));
    CHECK(crypto::is_encrypted_book(b.path));
    auto book = open_encrypted(b.path, b.clock, b.keys);
    auto customer = book->customer(b.prospect);
    REQUIRE(customer.ok());
    CHECK(customer->name == "王伟");
}

TEST_CASE("book vault: a wrong passphrase is wrong_key and changes no file") {
    EncryptedBook b;
    const auto before = hash_dir(b.dir.path().string());
    auto wrong = test_keys("not the passphrase");
    auto book = crypto::open_encrypted_book(plain_options(b.path, b.clock), wrong);
    REQUIRE_FALSE(book.ok());
    CHECK(book.error().code == ErrorCode::wrong_key);
    CHECK(book.error().message.find("passphrase") != std::string::npos);
    CHECK(hash_dir(b.dir.path().string()) == before);
}

TEST_CASE("book vault: a missing key file is not_found and changes no file") {
    EncryptedBook b;
    fs::remove(b.dir.file("book.key"));
    const auto before = hash_dir(b.dir.path().string());
    auto book = crypto::open_encrypted_book(plain_options(b.path, b.clock), b.keys);
    REQUIRE_FALSE(book.ok());
    CHECK(book.error().code == ErrorCode::not_found);
    CHECK(book.error().message.find("key file") != std::string::npos);
    CHECK(hash_dir(b.dir.path().string()) == before);
}

TEST_CASE("book vault: a damaged key file is corrupt, not a wrong passphrase") {
    EncryptedBook b;
    auto bytes = read_bytes(b.dir.file("book.key"));
    const auto at = std::string(bytes.begin(), bytes.end()).find("wrapped_key") + 20;
    bytes[at] = bytes[at] == 'a' ? 'b' : 'a';
    write_bytes(b.dir.file("book.key"), bytes);
    auto book = crypto::open_encrypted_book(plain_options(b.path, b.clock), b.keys);
    REQUIRE_FALSE(book.ok());
    CHECK(book.error().code == ErrorCode::corrupt);
    CHECK(book.error().message.find("damaged") != std::string::npos);
}

TEST_CASE("book vault: the key file of another book is wrong_key naming the other book") {
    EncryptedBook a;
    EncryptedBook b;
    copy_file(b.dir.file("book.key"), a.dir.file("book.key"));
    const auto before = hash_dir(a.dir.path().string());
    auto book = crypto::open_encrypted_book(plain_options(a.path, a.clock), a.keys);
    REQUIRE_FALSE(book.ok());
    CHECK(book.error().code == ErrorCode::wrong_key);
    CHECK(book.error().message.find("another book") != std::string::npos);
    CHECK(hash_dir(a.dir.path().string()) == before);
}

TEST_CASE("book vault: an encrypted book opened without a key says it is encrypted") {
    EncryptedBook b;
    auto book = Book::open(plain_options(b.path, b.clock));
    REQUIRE_FALSE(book.ok());
    CHECK(book.error().code == ErrorCode::wrong_key);
    CHECK(book.error().message.find("is an encrypted book") != std::string::npos);
}

TEST_CASE("book vault: a plain book opened as encrypted says it is not encrypted") {
    TempDir dir;
    platform::ManualClock clock(1'764'000'000'000, 480);
    must(Book::create(plain_options(dir.file("book.db"), clock), NewBook{"李娜", "", ""}));
    auto keys = test_keys();
    auto book = crypto::open_encrypted_book(plain_options(dir.file("book.db"), clock), keys);
    REQUIRE_FALSE(book.ok());
    CHECK(book.error().code == ErrorCode::invalid_state);
    CHECK(book.error().message.find("not encrypted") != std::string::npos);
    CHECK_FALSE(crypto::is_encrypted_book(dir.file("book.db")));
}

TEST_CASE("book vault: changing the passphrase re-wraps the key; the old passphrase stops working") {
    EncryptedBook b;
    const auto database_before = read_bytes(b.path);
    auto next = test_keys("a new passphrase");
    REQUIRE(crypto::change_passphrase(b.path, b.keys, next).ok());
    CHECK(read_bytes(b.path) == database_before);  // only the key file changed
    auto old = crypto::open_encrypted_book(plain_options(b.path, b.clock), b.keys);
    REQUIRE_FALSE(old.ok());
    CHECK(old.error().code == ErrorCode::wrong_key);
    auto book = open_encrypted(b.path, b.clock, next);
    CHECK(book->customer(b.prospect).ok());
    CHECK_FALSE(fs::exists(b.dir.file("book.key.tmp")));
}

TEST_CASE("book vault: passphrase limits can be raised by re-wrapping, and the defaults open in time") {
    EncryptedBook b;
    platform::PassphraseKeyStore defaults(kPassphrase);  // interactive limits
    REQUIRE(crypto::change_passphrase(b.path, b.keys, defaults).ok());
    // CPU time, not wall time: other processes on a busy machine must not fail it.
    const double start = thread_cpu_seconds();
    auto book = crypto::open_encrypted_book(plain_options(b.path, b.clock), defaults);
    const double elapsed = thread_cpu_seconds() - start;
    REQUIRE(book.ok());
    CHECK(elapsed < 0.5);
}

TEST_CASE("book vault: rekey re-encrypts every page under a new key; the passphrase still opens it") {
    EncryptedBook b;
    const auto before = read_bytes(b.path);
    const auto key_before = read_bytes(b.dir.file("book.key"));
    REQUIRE(crypto::rekey_book(b.path, b.keys).ok());
    const auto after = read_bytes(b.path);
    CHECK(read_bytes(b.dir.file("book.key")) != key_before);
    // No sealed page survives unchanged.
    for (std::size_t at = 0; at + 4096 <= std::min(before.size(), after.size()); at += 4096)
        CHECK(std::vector<std::uint8_t>(before.begin() + at + 4056, before.begin() + at + 4096) !=
              std::vector<std::uint8_t>(after.begin() + at + 4056, after.begin() + at + 4096));
    auto book = open_encrypted(b.path, b.clock, b.keys);
    CHECK(book->customer(b.prospect)->name == "王伟");
    auto report = crypto::verify_book(b.path, b.keys);
    REQUIRE(report.ok());
    CHECK(report->ok());
}

TEST_CASE("book vault: rekey reports its progress, page by page, up to the whole book") {
    EncryptedBook b;
    std::vector<std::pair<int, int>> calls;
    crypto::RekeyOptions options;
    options.pages_per_step = 2;  // several steps even on a small book
    options.progress = [&](int done, int total) { calls.emplace_back(done, total); };
    REQUIRE(crypto::rekey_book(b.path, b.keys, options).ok());
    REQUIRE(calls.size() >= 2);
    for (std::size_t i = 0; i < calls.size(); ++i) {
        CAPTURE(i);
        CHECK(calls[i].second == calls.front().second);
        CHECK(calls[i].first <= calls[i].second);
        if (i > 0) CHECK(calls[i].first > calls[i - 1].first);
    }
    CHECK(calls.back().first == calls.back().second);
    CHECK(calls.front().first == 2);
    CHECK(calls.size() >= static_cast<std::size_t>(calls.front().second / 2));
}

TEST_CASE("book vault: a copy taken before a rekey does not open with the new key file") {
    EncryptedBook b;
    copy_file(b.path, b.dir.file("old.db"));
    REQUIRE(crypto::rekey_book(b.path, b.keys).ok());
    copy_file(b.dir.file("book.key"), b.dir.file("old.key"));
    auto book = crypto::open_encrypted_book(plain_options(b.dir.file("old.db"), b.clock), b.keys);
    REQUIRE_FALSE(book.ok());
    CHECK(book.error().code == ErrorCode::wrong_key);
    CHECK(book.error().message.find("rekey") != std::string::npos);
}

TEST_CASE("book vault: wipe destroys the key first; a copy taken before cannot be opened") {
    EncryptedBook b;
    {
        auto book = open_encrypted(b.path, b.clock, b.keys);
        fill_with_markers(*book);
    }
    TempDir stash;
    copy_file(b.path, stash.file("book.db"));
    REQUIRE(crypto::wipe_book(b.path).ok());
    for (const auto& file : crypto::BookFiles::of(b.path).all()) CHECK_FALSE(fs::exists(file));
    CHECK(fs::is_empty(b.dir.path()));
    auto book = crypto::open_encrypted_book(plain_options(stash.file("book.db"), b.clock), b.keys);
    REQUIRE_FALSE(book.ok());
    CHECK(book.error().code == ErrorCode::not_found);
    CHECK(find_markers(stash.path().string()).empty());
}

TEST_CASE("book vault: verify reports a clean book as clean") {
    EncryptedBook b;
    auto report = crypto::verify_book(b.path, b.keys);
    REQUIRE(report.ok());
    CHECK(report->ok());
    CHECK(report->database_pages > 5);
}
