// Page sealing is libsodium's XChaCha20-Poly1305 (IETF) whichever library does
// the ChaCha20-Poly1305 pass: what one seals the other opens, byte for byte,
// and neither opens a page whose bytes, tag, nonce, associated data or key differ.
#include <doctest/doctest.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "forecourt/core/crypto/page_aead.hpp"
#include "forecourt/platform/random.hpp"

using namespace forecourt;
using namespace forecourt::crypto;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes random_bytes(std::size_t n) {
    Bytes out(n);
    if (n) platform::random_bytes(out.data(), n);
    return out;
}

struct Sealed {
    Bytes data;
    std::uint8_t tag[kAeadTagBytes] = {};
};

struct Message {
    Bytes plain = random_bytes(4056);
    Bytes ad = random_bytes(21);
    Bytes nonce = random_bytes(kAeadNonceBytes);
    Bytes key = random_bytes(kAeadKeyBytes);
};

Sealed seal_ours(const Message& m) {
    Sealed s{Bytes(m.plain.size())};
    aead_seal(s.data.data(), m.plain.data(), m.plain.size(), s.tag, m.ad.data(), m.ad.size(),
              m.nonce.data(), m.key.data());
    return s;
}

Sealed seal_libsodium(const Message& m) {
    Sealed s{m.plain};
    aead_seal_libsodium(s.data.data(), s.data.data(), s.data.size(), s.tag, m.ad.data(),
                        m.ad.size(), m.nonce.data(), m.key.data());
    return s;
}

bool open_ours(const Message& m, Sealed s) {
    const bool ok = aead_open(s.data.data(), s.data.size(), s.tag, m.ad.data(), m.ad.size(),
                              m.nonce.data(), m.key.data());
    if (ok)
        CHECK(s.data == m.plain);
    else
        CHECK(std::all_of(s.data.begin(), s.data.end(), [](std::uint8_t b) { return b == 0; }));
    return ok;
}

bool open_libsodium(const Message& m, Sealed s) {
    const bool ok = aead_open_libsodium(s.data.data(), s.data.size(), s.tag, m.ad.data(),
                                        m.ad.size(), m.nonce.data(), m.key.data());
    if (ok) CHECK(s.data == m.plain);
    return ok;
}

}  // namespace

TEST_CASE("page sealing: the same bytes as libsodium's XChaCha20-Poly1305, opened by either") {
    std::mt19937 rng(20261204);
    for (const std::size_t size : {1u, 63u, 64u, 65u, 472u, 4056u, 8152u, 65496u}) {
        CAPTURE(size);
        Message m;
        m.plain = random_bytes(size);
        m.ad = random_bytes(rng() % 64);
        const Sealed ours = seal_ours(m);
        const Sealed theirs = seal_libsodium(m);
        CHECK(ours.data == theirs.data);
        CHECK(std::memcmp(ours.tag, theirs.tag, kAeadTagBytes) == 0);
        // One byte seals to itself once in 256 keys; sixteen, never in practice.
        if (size >= 16) CHECK(ours.data != m.plain);
        CHECK(open_ours(m, theirs));
        CHECK(open_libsodium(m, ours));
    }
}

TEST_CASE("page sealing: in place and into another buffer give the same page") {
    const Message m;
    Sealed in_place{m.plain};
    aead_seal(in_place.data.data(), in_place.data.data(), in_place.data.size(), in_place.tag,
              m.ad.data(), m.ad.size(), m.nonce.data(), m.key.data());
    const Sealed copied = seal_ours(m);
    CHECK(in_place.data == copied.data);
    CHECK(std::memcmp(in_place.tag, copied.tag, kAeadTagBytes) == 0);
}

TEST_CASE(
    "page sealing: any change to the page, tag, nonce, associated data or key fails to open") {
    const Message m;
    const Sealed sealed = seal_ours(m);
    REQUIRE(open_ours(m, sealed));
    std::mt19937 rng(7);
    for (int trial = 0; trial < 20; ++trial) {
        CAPTURE(trial);
        Sealed page = sealed;
        page.data[rng() % page.data.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        CHECK_FALSE(open_ours(m, page));
        CHECK_FALSE(open_libsodium(m, page));
    }
    Sealed tag = sealed;
    tag.tag[rng() % kAeadTagBytes] ^= 0x01;
    CHECK_FALSE(open_ours(m, tag));
    for (Bytes Message::*part : {&Message::ad, &Message::nonce, &Message::key}) {
        Message other = m;
        (other.*part)[rng() % (other.*part).size()] ^= 0x80;
        CHECK_FALSE(open_ours(other, sealed));
        CHECK_FALSE(open_libsodium(other, sealed));
    }
}
