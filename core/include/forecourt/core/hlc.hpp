// Hybrid logical clocks (48-bit physical milliseconds + 16-bit counter) and the
// field versions built from them. A Version orders writes totally: by HLC, then
// by replica id.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "forecourt/platform/clock.hpp"

namespace forecourt {

struct Hlc {
    std::uint64_t packed = 0;

    static Hlc from_parts(std::uint64_t physical_ms, std::uint16_t counter) {
        return Hlc{(physical_ms << 16) | counter};
    }
    std::uint64_t physical_ms() const { return packed >> 16; }
    std::uint16_t counter() const { return static_cast<std::uint16_t>(packed & 0xffff); }

    friend auto operator<=>(const Hlc&, const Hlc&) = default;
};

// A replica's clock. Not thread-safe: each replica owns one, used under its
// writer lock.
class HybridClock {
public:
    explicit HybridClock(const platform::Clock& clock, Hlc last = {}) : clock_(&clock), last_(last) {}

    // Stamp for a local write or a send.
    Hlc tick();
    // Merge a stamp received from another replica; returns the new local stamp.
    Hlc observe(Hlc remote);
    Hlc last() const { return last_; }
    const platform::Clock& wall() const { return *clock_; }

private:
    const platform::Clock* clock_;
    Hlc last_;
};

// The version of one field's value: who wrote it, when.
struct Version {
    Hlc hlc;
    std::string replica;

    // "0000018c2f4a1b2c0001@<replica>": fixed-width hex, so versions written by
    // replicas compare as strings in the same order as they compare as values.
    std::string to_string() const;
    static std::optional<Version> parse(std::string_view text);

    friend bool operator==(const Version&, const Version&) = default;
    friend auto operator<=>(const Version& a, const Version& b) {
        if (auto c = a.hlc <=> b.hlc; c != 0) return c;
        return a.replica <=> b.replica;
    }
};

// The version most of `items` carry in their `version` member (a Version, or
// its text) — usually all of them: one edit stamps every field it writes
// alike. nullptr when empty.
template <class Items>
auto most_common_version(const Items& items) {
    const decltype(std::begin(items)->version)* best = nullptr;
    std::size_t best_count = 0;
    for (const auto& candidate : items) {
        const auto n = static_cast<std::size_t>(std::count_if(
            items.begin(), items.end(), [&](const auto& item) { return item.version == candidate.version; }));
        if (n > best_count) best = &candidate.version, best_count = n;
        if (best_count * 2 > items.size()) break;
    }
    return best;
}

}  // namespace forecourt
