// Hybrid logical clock arithmetic.
#include "forecourt/core/hlc.hpp"

#include <algorithm>
#include <charconv>

namespace forecourt {
namespace {

std::uint64_t wall_ms(const platform::Clock& clock) {
    const auto now = clock.now_ms();
    return now < 0 ? 0 : static_cast<std::uint64_t>(now) & ((1ULL << 48) - 1);
}

// Next stamp strictly after `floor` and not before the wall clock.
Hlc advance(Hlc floor, std::uint64_t wall) {
    if (wall > floor.physical_ms()) return Hlc::from_parts(wall, 0);
    if (floor.counter() == 0xffff) return Hlc::from_parts(floor.physical_ms() + 1, 0);
    return Hlc{floor.packed + 1};
}

}  // namespace

Hlc HybridClock::tick() {
    last_ = advance(last_, wall_ms(*clock_));
    return last_;
}

Hlc HybridClock::observe(Hlc remote) {
    last_ = advance(std::max(last_, remote), wall_ms(*clock_));
    return last_;
}

std::string Version::to_string() const {
    // 16 lowercase hex digits, '@', the replica: written out by hand, since
    // every field of every record written or pulled takes one.
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(17 + replica.size(), '@');
    for (int i = 15; i >= 0; --i)
        out[static_cast<std::size_t>(15 - i)] = kHex[(hlc.packed >> (4 * i)) & 0xf];
    out.replace(17, replica.size(), replica);
    return out;
}

std::optional<Version> Version::parse(std::string_view text) {
    if (text.size() < 18 || text[16] != '@') return std::nullopt;
    std::uint64_t packed = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + 16, packed, 16);
    if (ec != std::errc{} || end != text.data() + 16) return std::nullopt;
    return Version{Hlc{packed}, std::string(text.substr(17))};
}

}  // namespace forecourt
