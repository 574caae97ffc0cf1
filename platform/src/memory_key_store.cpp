// The in-memory key store: a random key-encryption key held in locked memory.
// Blob: version(1) nonce(24) sealed key(48).
#include <sodium.h>

#include <cstring>

#include "forecourt/platform/key_store.hpp"
#include "forecourt/platform/random.hpp"

namespace forecourt::platform {
namespace {

constexpr std::uint8_t kMemoryBlobVersion = 1;
constexpr std::size_t kMemoryNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kMemoryBlobBytes =
    1 + kMemoryNonceBytes + kDataKeyBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::string_view kMemoryDomain = "forecourt memory wrap v1";

std::vector<std::uint8_t> memory_associated_data(std::span<const std::uint8_t> context) {
    std::vector<std::uint8_t> ad(kMemoryDomain.size() + context.size());
    std::memcpy(ad.data(), kMemoryDomain.data(), kMemoryDomain.size());
    if (!context.empty()) std::memcpy(ad.data() + kMemoryDomain.size(), context.data(), context.size());
    return ad;
}

}  // namespace

MemoryKeyStore::MemoryKeyStore() : kek_(SecretKey::random(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)) {}

Result<std::vector<std::uint8_t>> MemoryKeyStore::wrap(const SecretKey& data_key,
                                                       std::span<const std::uint8_t> context) {
    if (data_key.size() != kDataKeyBytes)
        return make_error(ErrorCode::invalid_argument, "a data key must be 32 bytes", ErrorDomain::crypto);
    std::vector<std::uint8_t> blob(kMemoryBlobBytes);
    blob[0] = kMemoryBlobVersion;
    random_bytes(&blob[1], kMemoryNonceBytes);
    const auto ad = memory_associated_data(context);
    unsigned long long sealed = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(&blob[1 + kMemoryNonceBytes], &sealed, data_key.data(),
                                               data_key.size(), ad.data(), ad.size(), nullptr,
                                               &blob[1], kek_.data());
    return blob;
}

Result<SecretKey> MemoryKeyStore::unwrap(std::span<const std::uint8_t> wrapped,
                                         std::span<const std::uint8_t> context) {
    if (wrapped.size() != kMemoryBlobBytes || wrapped[0] != kMemoryBlobVersion)
        return make_error(ErrorCode::corrupt, "the wrapped key is not a memory-sealed key",
                          ErrorDomain::crypto);
    const auto ad = memory_associated_data(context);
    SecretKey key(kDataKeyBytes);
    unsigned long long opened = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(key.data(), &opened, nullptr,
                                                   &wrapped[1 + kMemoryNonceBytes],
                                                   wrapped.size() - 1 - kMemoryNonceBytes, ad.data(),
                                                   ad.size(), &wrapped[1], kek_.data()) != 0)
        return make_error(ErrorCode::wrong_key, "this key store's key does not unlock this book",
                          ErrorDomain::crypto);
    return key;
}

}  // namespace forecourt::platform
