// UUIDv7 generation (RFC 9562) and validation.
#include "forecourt/core/uuid.hpp"

#include <array>
#include <cstdint>

#include "forecourt/platform/random.hpp"

namespace forecourt {

std::string new_uuid_v7(platform::EpochMs now_ms) {
    std::array<std::uint8_t, 16> b{};
    platform::random_bytes(b.data(), b.size());
    const auto ms = static_cast<std::uint64_t>(now_ms < 0 ? 0 : now_ms);
    for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
    b[6] = static_cast<std::uint8_t>(0x70 | (b[6] & 0x0f));
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
