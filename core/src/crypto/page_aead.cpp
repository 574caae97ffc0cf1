// XChaCha20-Poly1305 (IETF): libsodium's HChaCha20, then OpenSSL's
// ChaCha20-Poly1305 pass (see page_aead.hpp).
#include "forecourt/core/crypto/page_aead.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>
#include <limits>

namespace forecourt::crypto {
namespace {

static_assert(kAeadKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

// Fetched once; null when libcrypto has no ChaCha20-Poly1305 (then libsodium works alone).
const EVP_CIPHER* chacha20_poly1305() {
    static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
    return cipher;
}

// One context per thread (the read-ahead helper opens pages too), reset after every use.
struct ThreadContext {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    ~ThreadContext() { EVP_CIPHER_CTX_free(ctx); }
};

EVP_CIPHER_CTX* thread_context() {
    thread_local ThreadContext context;
    return context.ctx;
}

// HChaCha20 of the key and nonce[0..16], and the IETF nonce 0^4 || nonce[16..24]:
// what libsodium's XChaCha20-Poly1305 hands to ChaCha20-Poly1305.
class MessageKey {
  public:
    MessageKey(const std::uint8_t* nonce, const std::uint8_t* key) {
        crypto_core_hchacha20(key_, nonce, key, nullptr);
        std::memcpy(iv_ + 4, nonce + 16, 8);
    }
    ~MessageKey() { sodium_memzero(key_, sizeof key_); }
    MessageKey(const MessageKey&) = delete;
    MessageKey& operator=(const MessageKey&) = delete;
    const unsigned char* key() const { return key_; }
    const unsigned char* iv() const { return iv_; }

  private:
    unsigned char key_[crypto_core_hchacha20_OUTPUTBYTES];
    unsigned char iv_[12] = {};
};

// A context in use: reset (its key state wiped) however the call ends.
class UsedContext {
  public:
    explicit UsedContext(EVP_CIPHER_CTX* ctx) : ctx_(ctx) {}
    ~UsedContext() { EVP_CIPHER_CTX_reset(ctx_); }
    UsedContext(const UsedContext&) = delete;
    UsedContext& operator=(const UsedContext&) = delete;
    EVP_CIPHER_CTX* get() const { return ctx_; }

  private:
    EVP_CIPHER_CTX* ctx_;
};

bool fits_int(std::size_t size) {
    return size <= static_cast<std::size_t>(std::numeric_limits<int>::max());
}

bool seal_with_openssl(std::uint8_t* out, const std::uint8_t* in, std::size_t size,
                       std::uint8_t* tag, const std::uint8_t* ad, std::size_t ad_size,
                       const std::uint8_t* nonce, const std::uint8_t* key) {
    const EVP_CIPHER* cipher = chacha20_poly1305();
    EVP_CIPHER_CTX* raw = cipher ? thread_context() : nullptr;
    if (!raw || !fits_int(size) || !fits_int(ad_size)) return false;
    const MessageKey message(nonce, key);
    const UsedContext ctx(raw);
    int n = 0;
    if (EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, message.key(), message.iv()) != 1 ||
        (ad_size != 0 &&
         EVP_EncryptUpdate(ctx.get(), nullptr, &n, ad, static_cast<int>(ad_size)) != 1) ||
        EVP_EncryptUpdate(ctx.get(), out, &n, in, static_cast<int>(size)) != 1)
        return false;  // nothing written: OpenSSL checks its arguments before it encrypts
    int tail = 0;
    if (EVP_EncryptFinal_ex(ctx.get(), out + n, &tail) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagBytes),
                            tag) == 1)
        return true;
    // Encrypted but no tag: the same key stream (RFC 8439 encrypts from block
    // 1) puts the plaintext back (into `in` too, when that is `out`) for
    // libsodium to seal.
    crypto_stream_chacha20_ietf_xor_ic(out, out, size, message.iv(), 1, message.key());
    return false;
}

enum class Opened { yes, forged, unavailable };

Opened open_with_openssl(std::uint8_t* data, std::size_t size, const std::uint8_t* tag,
                         const std::uint8_t* ad, std::size_t ad_size, const std::uint8_t* nonce,
                         const std::uint8_t* key) {
    const EVP_CIPHER* cipher = chacha20_poly1305();
    EVP_CIPHER_CTX* raw = cipher ? thread_context() : nullptr;
    if (!raw || !fits_int(size) || !fits_int(ad_size)) return Opened::unavailable;
    const MessageKey message(nonce, key);
    const UsedContext ctx(raw);
    int n = 0;
    // Until the data is touched, a failing call leaves the page for libsodium.
    unsigned char expected[kAeadTagBytes];
    std::memcpy(expected, tag, sizeof expected);
    if (EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, message.key(), message.iv()) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagBytes),
                            expected) != 1 ||
        (ad_size != 0 &&
         EVP_DecryptUpdate(ctx.get(), nullptr, &n, ad, static_cast<int>(ad_size)) != 1))
        return Opened::unavailable;
    // Decrypted in place before the tag is checked: a page that fails the
    // check is wiped, so its bytes are never handed on.
    if (EVP_DecryptUpdate(ctx.get(), data, &n, data, static_cast<int>(size)) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), data + n, &n) == 1)
        return Opened::yes;
    sodium_memzero(data, size);
    return Opened::forged;
}

}  // namespace

void aead_seal_libsodium(std::uint8_t* out, const std::uint8_t* in, std::size_t size,
                         std::uint8_t* tag, const std::uint8_t* ad, std::size_t ad_size,
                         const std::uint8_t* nonce, const std::uint8_t* key) {
    unsigned long long tag_size = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(out, tag, &tag_size, in, size, ad, ad_size,
                                                        nullptr, nonce, key);
}

bool aead_open_libsodium(std::uint8_t* data, std::size_t size, const std::uint8_t* tag,
                         const std::uint8_t* ad, std::size_t ad_size, const std::uint8_t* nonce,
                         const std::uint8_t* key) {
    // libsodium checks the tag before decrypting and zeroes the output when the
    // check fails.
    return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(data, nullptr, data, size, tag, ad,
                                                               ad_size, nonce, key) == 0;
}

void aead_seal(std::uint8_t* out, const std::uint8_t* in, std::size_t size, std::uint8_t* tag,
               const std::uint8_t* ad, std::size_t ad_size, const std::uint8_t* nonce,
               const std::uint8_t* key) {
    if (!seal_with_openssl(out, in, size, tag, ad, ad_size, nonce, key))
        aead_seal_libsodium(out, in, size, tag, ad, ad_size, nonce, key);
}

bool aead_open(std::uint8_t* data, std::size_t size, const std::uint8_t* tag,
               const std::uint8_t* ad, std::size_t ad_size, const std::uint8_t* nonce,
               const std::uint8_t* key) {
    switch (open_with_openssl(data, size, tag, ad, ad_size, nonce, key)) {
        case Opened::yes:
            return true;
        case Opened::forged:
            return false;
        case Opened::unavailable:
            break;
    }
    return aead_open_libsodium(data, size, tag, ad, ad_size, nonce, key);
}

}  // namespace forecourt::crypto
