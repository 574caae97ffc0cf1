// Field versions as text: "<hlc as 16 lowercase hex digits>@<replica id>", so
// that comparing the text compares the versions (the book's `versions`
// column and the wire both rely on it).
#include <doctest/doctest.h>

#include <random>

#include "forecourt/core/hlc.hpp"

using namespace forecourt;

TEST_CASE("version: written as 16 lowercase hex digits and the replica, and read back") {
    CHECK(Version{Hlc{0}, "r"}.to_string() == "0000000000000000@r");
    CHECK(Version{Hlc{0x019ab3f0c1a10000}, "tablet-1"}.to_string() == "019ab3f0c1a10000@tablet-1");
    CHECK(Version{Hlc{~std::uint64_t{0}}, "s"}.to_string() == "ffffffffffffffff@s");
    CHECK(Version{Hlc{0x0123456789abcdef}, ""}.to_string() == "0123456789abcdef@");

    std::mt19937_64 random(7);
    for (int i = 0; i < 1000; ++i) {
        const Version a{Hlc{random() >> (random() % 64)}, "r" + std::to_string(random() % 3)};
        const Version b{Hlc{random() >> (random() % 64)}, "r" + std::to_string(random() % 3)};
        const auto text_a = a.to_string();
        CAPTURE(text_a);
        const auto parsed = Version::parse(text_a);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == a);
        // Fixed width: text order is version order, by stamp and then replica.
        const bool before = a.hlc.packed < b.hlc.packed || (a.hlc.packed == b.hlc.packed && a.replica < b.replica);
        CHECK((text_a < b.to_string()) == before);
    }
}
