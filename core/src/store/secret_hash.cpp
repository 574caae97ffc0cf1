// Hashing and constant-time comparison of secrets with libsodium.
#include "secret_hash.hpp"

#include <sodium.h>

#include "forecourt/platform/random.hpp"

namespace forecourt::store::detail {

std::string hash_secret(std::string_view secret) {
    platform::ensure_sodium();
    unsigned char raw[32];
    crypto_generichash(raw, sizeof raw, reinterpret_cast<const unsigned char*>(secret.data()),
                       secret.size(), nullptr, 0);
    std::string hex(sizeof raw * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), raw, sizeof raw);
    hex.pop_back();
    return hex;
}

bool same_hash(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string new_secret() { return platform::random_hex(32); }

}  // namespace forecourt::store::detail
