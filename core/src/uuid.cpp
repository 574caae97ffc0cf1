// UUIDv7 generation (RFC 9562) and validation.
#include "forecourt/core/uuid.hpp"

#include <array>
#include <cstdint>
#include <mutex>

#include "forecourt/platform/random.hpp"

namespace forecourt {

namespace {

// RFC 9562 §6.2, method 1: within one millisecond the 12 bits after the
// version count up from a random start, so the ids a process makes in the
// same millisecond still sort in the order they were made. The start leaves
// at least 2,048 steps; past them (or when the clock goes back) the bits
// start again at random.
class Sequence {
  public:
    std::uint16_t next(std::uint64_t ms) {
        std::lock_guard lock(mutex_);
        if (ms == last_ms_ && counter_ < 0x0fff) return ++counter_;
        last_ms_ = ms;
        std::uint8_t start[2];
        platform::random_bytes(start, sizeof start);
        counter_ = static_cast<std::uint16_t>(((start[0] & 0x07) << 8) | start[1]);
        return counter_;
    }

  private:
    std::mutex mutex_;
    std::uint64_t last_ms_ = ~std::uint64_t{0};
    std::uint16_t counter_ = 0;
};

Sequence& sequence() {
    static Sequence instance;
    return instance;
}

}  // namespace

std::string new_uuid_v7(platform::EpochMs now_ms) {
    std::array<std::uint8_t, 16> b{};
    platform::random_bytes(b.data(), b.size());
    const auto ms = static_cast<std::uint64_t>(now_ms < 0 ? 0 : now_ms);
    for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
    const std::uint16_t counter = sequence().next(ms);
    b[6] = static_cast<std::uint8_t>(0x70 | (counter >> 8));
    b[7] = static_cast<std::uint8_t>(counter & 0xff);
    b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += kHex[b[i] >> 4];
        out += kHex[b[i] & 0x0f];
    }
    return out;
}

bool is_uuid(std::string_view text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

}  // namespace forecourt
