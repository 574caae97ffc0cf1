// Where a book's data key is protected: a KeyStore wraps (seals) a random data
// key into an opaque blob stored beside the book, and unwraps it again. The
// tablet plugs the Android Keystore or iOS Keychain in behind this interface
// (through the C ABI); desktop and tests use a passphrase or an in-memory key.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "forecourt/platform/result.hpp"
#include "forecourt/platform/secret_key.hpp"

namespace forecourt::platform {

// The store never sees the book's pages: it only seals and opens the 32-byte
// data key. `context` (the book's id) is bound to the seal, so a blob moved to
// another book does not open there. Implementations return wrong_key when the
// blob is well-formed but their key does not open it, corrupt when the blob
// is damaged, and never put key bytes in a message.
class KeyStore {
public:
    virtual ~KeyStore() = default;
    // Recorded in the key file, so a blob is never handed to the wrong kind of store.
    virtual std::string kind() const = 0;
    virtual Result<std::vector<std::uint8_t>> wrap(const SecretKey& data_key,
                                                   std::span<const std::uint8_t> context) = 0;
    virtual Result<SecretKey> unwrap(std::span<const std::uint8_t> wrapped,
                                     std::span<const std::uint8_t> context) = 0;
};

// Argon2id cost; recorded in every blob, so it can be raised later by re-wrapping.
struct KdfLimits {
    std::uint64_t opslimit = 0;
    std::uint64_t memlimit = 0;  // bytes
    // libsodium's interactive limits (about 0.1-0.3 s and 64 MiB): the default.
    static KdfLimits interactive();
    // The smallest limits Argon2id accepts: for tests only.
    static KdfLimits minimum();
};

// A key-encryption key derived from a passphrase with Argon2id (fresh salt per
// wrap); the data key is sealed with XChaCha20-Poly1305 under it.
class PassphraseKeyStore final : public KeyStore {
public:
    explicit PassphraseKeyStore(std::string_view passphrase,
                                KdfLimits limits = KdfLimits::interactive());
    std::string kind() const override { return "passphrase"; }
    Result<std::vector<std::uint8_t>> wrap(const SecretKey& data_key,
                                           std::span<const std::uint8_t> context) override;
    Result<SecretKey> unwrap(std::span<const std::uint8_t> wrapped,
                             std::span<const std::uint8_t> context) override;

private:
    SecretKey passphrase_;
    KdfLimits limits_;
};

// A random key-encryption key that lives only as long as this object: for
// tests, and as the model of a hardware keystore (a key that never leaves it).
class MemoryKeyStore final : public KeyStore {
public:
    MemoryKeyStore();
    std::string kind() const override { return "memory"; }
    Result<std::vector<std::uint8_t>> wrap(const SecretKey& data_key,
                                           std::span<const std::uint8_t> context) override;
    Result<SecretKey> unwrap(std::span<const std::uint8_t> wrapped,
                             std::span<const std::uint8_t> context) override;

private:
    SecretKey kek_;
};

// The size of every data key a KeyStore is asked to wrap.
inline constexpr std::size_t kDataKeyBytes = 32;

}  // namespace forecourt::platform
