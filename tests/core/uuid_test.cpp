// Record ids: UUIDv7 that sort by creation time, also within one millisecond.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "forecourt/core/uuid.hpp"

using namespace forecourt;

TEST_CASE("uuid: a version 7, variant 10 id carrying the millisecond it was made") {
    const platform::EpochMs at = 1'764'000'000'123;  // 0x019AB0...
    const auto id = new_uuid_v7(at);
    REQUIRE(is_uuid(id));
    CHECK(id[14] == '7');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    const std::string hex = id.substr(0, 8) + id.substr(9, 4);
    CHECK(std::stoull(hex, nullptr, 16) == static_cast<unsigned long long>(at));
}

TEST_CASE("uuid: ids made in the same millisecond sort in the order they were made") {
    const platform::EpochMs at = 1'764'000'000'000;
    std::vector<std::string> ids;
    for (int i = 0; i < 2'000; ++i) ids.push_back(new_uuid_v7(at));
    for (std::size_t i = 1; i < ids.size(); ++i) {
        CHECK_MESSAGE(ids[i - 1] < ids[i], ids[i - 1] << " then " << ids[i]);
        if (ids[i - 1] >= ids[i]) break;
    }
    CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
}

TEST_CASE("uuid: a later millisecond sorts after, and a clock set back still makes valid, distinct ids") {
    const auto first = new_uuid_v7(1'764'000'000'000);
    const auto later = new_uuid_v7(1'764'000'000'001);
    CHECK(first < later);
    const auto back = new_uuid_v7(1'700'000'000'000);
    CHECK(is_uuid(back));
    CHECK(back < first);  // the id carries the time it was given
    CHECK(back != new_uuid_v7(1'700'000'000'000));
}

TEST_CASE("uuid: only the canonical lowercase form is an id") {
    CHECK(is_uuid("0193a1c0-0000-7000-8000-000000000001"));
    CHECK_FALSE(is_uuid("0193A1C0-0000-7000-8000-000000000001"));
    CHECK_FALSE(is_uuid("0193a1c0000070008000000000000001"));
    CHECK_FALSE(is_uuid("0193a1c0-0000-7000-8000-00000000000g"));
    CHECK_FALSE(is_uuid(""));
}
