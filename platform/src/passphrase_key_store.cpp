// The passphrase key store: Argon2id derives a key-encryption key from the
// passphrase and a fresh salt; XChaCha20-Poly1305 seals the data key under it.
// Blob: version(1) alg(1) opslimit(8) memlimit(8) salt(16) nonce(24) sealed key(48).
#include <sodium.h>

#include <cstring>

#include "forecourt/platform/key_store.hpp"
#include "forecourt/platform/random.hpp"

namespace forecourt::platform {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kSaltBytes = crypto_pwhash_SALTBYTES;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kHeaderBytes = 2 + 8 + 8 + kSaltBytes + kNonceBytes;
constexpr std::size_t kBlobBytes =
    kHeaderBytes + kDataKeyBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES;
// A damaged or hostile blob must not make opening a book take minutes or gigabytes.
constexpr std::uint64_t kMaxOpslimit = 64;
constexpr std::uint64_t kMaxMemlimit = std::uint64_t{2} << 30;
constexpr std::string_view kDomain = "forecourt passphrase wrap v1";

void put_u64(std::uint8_t* out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t get_u64(const std::uint8_t* in) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{in[i]} << (8 * i);
    return v;
}

Error error(ErrorCode code, std::string message) {
    return make_error(code, std::move(message), ErrorDomain::crypto);
}

// Associated data: the blob's header (so its cost and salt cannot be swapped)
// and the caller's context (so the blob only opens for its own book).
std::vector<std::uint8_t> associated_data(const std::uint8_t* header,
                                          std::span<const std::uint8_t> context) {
    std::vector<std::uint8_t> ad(kDomain.size() + kHeaderBytes + context.size());
    std::memcpy(ad.data(), kDomain.data(), kDomain.size());
    std::memcpy(ad.data() + kDomain.size(), header, kHeaderBytes);
    if (!context.empty())
        std::memcpy(ad.data() + kDomain.size() + kHeaderBytes, context.data(), context.size());
    return ad;
}

Result<SecretKey> derive_kek(const SecretKey& passphrase, const std::uint8_t* salt,
                             std::uint64_t opslimit, std::uint64_t memlimit) {
    SecretKey kek(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    if (crypto_pwhash(kek.data(), kek.size(), reinterpret_cast<const char*>(passphrase.data()),
                      passphrase.size(), salt, opslimit, static_cast<std::size_t>(memlimit),
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return error(ErrorCode::internal, "not enough memory to derive the key from the passphrase");
    return kek;
}

}  // namespace

KdfLimits KdfLimits::interactive() {
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

KdfLimits KdfLimits::minimum() {
    return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

PassphraseKeyStore::PassphraseKeyStore(std::string_view passphrase, KdfLimits limits)
    : passphrase_(SecretKey::copy_of(
          {reinterpret_cast<const std::uint8_t*>(passphrase.data()), passphrase.size()})),
      limits_(limits) {}

Result<std::vector<std::uint8_t>> PassphraseKeyStore::wrap(const SecretKey& data_key,
                                                           std::span<const std::uint8_t> context) {
    if (data_key.size() != kDataKeyBytes)
        return error(ErrorCode::invalid_argument, "a data key must be 32 bytes");
    if (passphrase_.empty()) return error(ErrorCode::invalid_argument, "the passphrase is empty");
    std::vector<std::uint8_t> blob(kBlobBytes);
    blob[0] = kVersion;
    blob[1] = static_cast<std::uint8_t>(crypto_pwhash_ALG_ARGON2ID13);
    put_u64(&blob[2], limits_.opslimit);
    put_u64(&blob[10], limits_.memlimit);
    random_bytes(&blob[18], kSaltBytes + kNonceBytes);
    FC_ASSIGN(SecretKey kek, derive_kek(passphrase_, &blob[18], limits_.opslimit, limits_.memlimit));
    const auto ad = associated_data(blob.data(), context);
    unsigned long long sealed = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(&blob[kHeaderBytes], &sealed, data_key.data(),
                                               data_key.size(), ad.data(), ad.size(), nullptr,
                                               &blob[18 + kSaltBytes], kek.data());
    return blob;
}

Result<SecretKey> PassphraseKeyStore::unwrap(std::span<const std::uint8_t> wrapped,
                                             std::span<const std::uint8_t> context) {
    if (wrapped.size() != kBlobBytes || wrapped[0] != kVersion ||
        wrapped[1] != crypto_pwhash_ALG_ARGON2ID13)
        return error(ErrorCode::corrupt, "the wrapped key is not a passphrase-sealed key of a known version");
    const std::uint64_t opslimit = get_u64(&wrapped[2]);
    const std::uint64_t memlimit = get_u64(&wrapped[10]);
    if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > kMaxOpslimit ||
        memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > kMaxMemlimit)
        return error(ErrorCode::corrupt, "the wrapped key records key-derivation limits out of range");
    FC_ASSIGN(SecretKey kek, derive_kek(passphrase_, &wrapped[18], opslimit, memlimit));
    const auto ad = associated_data(wrapped.data(), context);
    SecretKey key(kDataKeyBytes);
    unsigned long long opened = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            key.data(), &opened, nullptr, &wrapped[kHeaderBytes], wrapped.size() - kHeaderBytes,
            ad.data(), ad.size(), &wrapped[18 + kSaltBytes], kek.data()) != 0)
        return error(ErrorCode::wrong_key, "the passphrase does not unlock this book");
    return key;
}

}  // namespace forecourt::platform
