// Sealing for the encrypting VFS: XChaCha20-Poly1305 (IETF) as libsodium
// defines it (crypto_aead_xchacha20poly1305_ietf, detached tag), with the bulk
// of the work done by OpenSSL's libcrypto.
//
// The construction is libsodium's, step for step: HChaCha20 of the key and
// the nonce's first 16 bytes gives a message key (libsodium's
// crypto_core_hchacha20), and ChaCha20-Poly1305 (IETF, RFC 8439) seals under
// it with the nonce 0^4 || nonce[16..24]. That second step, a pass over the
// whole page, is OpenSSL's EVP ChaCha20-Poly1305: its vectorised code (AVX-512
// on x86-64, NEON on the tablets' ARM cores, where libsodium 1.0.18 has only
// portable C) seals a 4 KiB page in about 1.9 µs here against libsodium's
// 3.4–3.6 µs (docs/PERFORMANCE.md). Pages sealed either way open either way (tests check both); should
// libcrypto lack the cipher or fail, libsodium's own function does the work.
// Message keys live on the stack and in OpenSSL's context only for the call,
// and are wiped after it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace forecourt::crypto {

inline constexpr std::size_t kAeadKeyBytes = 32;
inline constexpr std::size_t kAeadNonceBytes = 24;
inline constexpr std::size_t kAeadTagBytes = 16;

// Encrypts `size` bytes of `in` into `out` (the same buffer, or one that does
// not overlap it) and writes the tag.
void aead_seal(std::uint8_t* out, const std::uint8_t* in, std::size_t size, std::uint8_t* tag,
               const std::uint8_t* ad, std::size_t ad_size, const std::uint8_t* nonce,
               const std::uint8_t* key);
// Checks the tag and decrypts `data` in place; false (and `data` zeroed) when
// the tag does not match.
bool aead_open(std::uint8_t* data, std::size_t size, const std::uint8_t* tag,
               const std::uint8_t* ad, std::size_t ad_size, const std::uint8_t* nonce,
               const std::uint8_t* key);

// libsodium's own functions, for tests that check the two agree.
void aead_seal_libsodium(std::uint8_t* out, const std::uint8_t* in, std::size_t size,
                         std::uint8_t* tag, const std::uint8_t* ad, std::size_t ad_size,
                         const std::uint8_t* nonce, const std::uint8_t* key);
bool aead_open_libsodium(std::uint8_t* data, std::size_t size, const std::uint8_t* tag,
                         const std::uint8_t* ad, std::size_t ad_size, const std::uint8_t* nonce,
                         const std::uint8_t* key);

}  // namespace forecourt::crypto
