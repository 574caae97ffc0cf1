// Cryptographically secure randomness (libsodium's randombytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace forecourt::platform {

// Initialises libsodium once; safe to call from any thread, any number of times.
void ensure_sodium();

void random_bytes(void* out, std::size_t size);
std::uint64_t random_u64();
// Uniform in [0, upper) without modulo bias; upper must be > 0.
std::uint32_t random_uniform(std::uint32_t upper);
// `bytes` random bytes as lowercase hex.
std::string random_hex(std::size_t bytes);

}  // namespace forecourt::platform
