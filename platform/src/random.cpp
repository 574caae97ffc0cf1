// Randomness from libsodium, initialised on first use.
#include "forecourt/platform/random.hpp"

#include <sodium.h>

#include <stdexcept>

namespace forecourt::platform {

void ensure_sodium() {
    static const int status = sodium_init();
    if (status < 0) throw std::runtime_error("libsodium failed to initialise");
}

void random_bytes(void* out, std::size_t size) {
    ensure_sodium();
    randombytes_buf(out, size);
}

std::uint64_t random_u64() {
    std::uint64_t v = 0;
    random_bytes(&v, sizeof v);
    return v;
}

std::uint32_t random_uniform(std::uint32_t upper) {
    ensure_sodium();
    return randombytes_uniform(upper);
}

std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    random_bytes(raw.data(), raw.size());
    std::string hex(bytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                   raw.size());
    hex.pop_back();
    return hex;
}

}  // namespace forecourt::platform
