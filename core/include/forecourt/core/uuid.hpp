// UUIDv7 record ids: 48-bit Unix milliseconds, a 12-bit counter within the
// millisecond, then randomness, so ids sort by creation time (also within a
// millisecond, in one process) and index inserts stay append-mostly.
#pragma once

#include <string>
#include <string_view>

#include "forecourt/platform/clock.hpp"

namespace forecourt {

std::string new_uuid_v7(platform::EpochMs now_ms);
// True for the canonical lowercase 8-4-4-4-12 form of any UUID version.
bool is_uuid(std::string_view text);

}  // namespace forecourt
