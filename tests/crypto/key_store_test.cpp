// Key stores: wrapping round trips, wrong keys, damaged blobs, the book id bound in.
#include <doctest/doctest.h>

#include "crypto_support.hpp"
#include "forecourt/platform/key_store.hpp"

using namespace forecourt;

namespace {
const std::vector<std::uint8_t> kBookA(16, 0xaa), kBookB(16, 0xbb);
}

TEST_CASE("key store: a passphrase store unwraps what it wrapped, and only for the same book") {
    auto keys = testing::test_keys();
    const auto data_key = platform::SecretKey::random(32);
    auto wrapped = keys.wrap(data_key, kBookA);
    REQUIRE(wrapped.ok());
    auto back = keys.unwrap(*wrapped, kBookA);
    REQUIRE(back.ok());
    CHECK(platform::same_secret(*back, data_key));
    auto elsewhere = keys.unwrap(*wrapped, kBookB);
    REQUIRE_FALSE(elsewhere.ok());
    CHECK(elsewhere.error().code == ErrorCode::wrong_key);
}

TEST_CASE("key store: each wrap uses a fresh salt and nonce") {
    auto keys = testing::test_keys();
    const auto data_key = platform::SecretKey::random(32);
    CHECK(*keys.wrap(data_key, kBookA) != *keys.wrap(data_key, kBookA));
}

TEST_CASE("key store: a wrong passphrase is wrong_key; a damaged blob is corrupt") {
    auto keys = testing::test_keys();
    const auto data_key = platform::SecretKey::random(32);
    auto wrapped = *keys.wrap(data_key, kBookA);
    auto wrong = testing::test_keys("wrong");
    CHECK(wrong.unwrap(wrapped, kBookA).error().code == ErrorCode::wrong_key);
    auto truncated = wrapped;
    truncated.pop_back();
    CHECK(keys.unwrap(truncated, kBookA).error().code == ErrorCode::corrupt);
    auto greedy = wrapped;
    greedy[17] = 0x7f;  // memlimit far beyond what a book may ask for
    CHECK(keys.unwrap(greedy, kBookA).error().code == ErrorCode::corrupt);
}

TEST_CASE("key store: error messages never contain key bytes") {
    auto keys = testing::test_keys();
    const auto data_key = platform::SecretKey::random(32);
    auto wrapped = *keys.wrap(data_key, kBookA);
    auto wrong = testing::test_keys("wrong");
    const std::string message = wrong.unwrap(wrapped, kBookA).error().describe();
    const std::string raw(reinterpret_cast<const char*>(data_key.data()), data_key.size());
    CHECK(message.find(raw.substr(0, 4)) == std::string::npos);
    CHECK(message.find(testing::kPassphrase) == std::string::npos);
}

TEST_CASE("key store: a memory store opens only its own blobs") {
    platform::MemoryKeyStore a, b;
    const auto data_key = platform::SecretKey::random(32);
    auto wrapped = *a.wrap(data_key, kBookA);
    CHECK(platform::same_secret(*a.unwrap(wrapped, kBookA), data_key));
    CHECK(b.unwrap(wrapped, kBookA).error().code == ErrorCode::wrong_key);
}

TEST_CASE("secret key: moves leave nothing behind and compare in constant time") {
    auto key = platform::SecretKey::random(32);
    auto copy = platform::SecretKey::copy_of(key.bytes());
    platform::SecretKey moved = std::move(key);
    CHECK(key.empty());  // NOLINT(bugprone-use-after-move): the move empties it
    CHECK(platform::same_secret(moved, copy));
    CHECK_FALSE(platform::same_secret(moved, platform::SecretKey::random(32)));
}
