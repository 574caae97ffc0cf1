// PageCipher: subkeys derived from the data key with BLAKE2b (crypto_kdf), pages
// sealed with XChaCha20-Poly1305 (detached tag).
#include "forecourt/core/crypto/page_cipher.hpp"

#include <sodium.h>

#include <atomic>
#include <cstring>
#include <vector>

#include "forecourt/core/crypto/nonce_pool.hpp"
#include "forecourt/core/crypto/page_aead.hpp"

namespace forecourt::crypto {
namespace {

constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "FCbook01";
enum : std::uint64_t { kPageKeyId = 1, kCheckKeyId = 2, kMaskKeyId = 3 };

static_assert(crypto_shorthash_KEYBYTES >= crypto_kdf_BYTES_MIN, "the mask key is derived with crypto_kdf");

std::atomic<NonceObserver> g_observer{nullptr};
std::atomic<void*> g_observer_context{nullptr};

platform::SecretKey subkey(const platform::SecretKey& data_key, std::uint64_t id,
                           std::size_t size = crypto_aead_xchacha20poly1305_ietf_KEYBYTES) {
    platform::SecretKey key(size);
    crypto_kdf_derive_from_key(key.data(), key.size(), id, kKdfContext, data_key.data());
    return key;
}

// book id (16) | home (1) | page number (4, big-endian) | bound bytes
std::size_t associated_data(std::uint8_t* out, const BookId& id, const PagePlace& place) {
    std::memcpy(out, id.data(), id.size());
    std::size_t n = id.size();
    out[n++] = static_cast<std::uint8_t>(place.home);
    for (int shift = 24; shift >= 0; shift -= 8)
        out[n++] = static_cast<std::uint8_t>(place.page_number >> shift);
    if (!place.bound.empty()) std::memcpy(out + n, place.bound.data(), place.bound.size());
    return n + place.bound.size();
}

constexpr std::size_t kMaxBound = 32;
constexpr std::size_t kMaxAd = kBookIdBytes + 5 + kMaxBound;

}  // namespace

void set_nonce_observer(NonceObserver observer, void* context) {
    g_observer.store(nullptr);
    g_observer_context.store(context);
    g_observer.store(observer);
}

PageCipher::PageCipher(const platform::SecretKey& data_key, const BookId& book_id)
    : book_id_(book_id),
      page_key_(subkey(data_key, kPageKeyId)),
      check_key_(subkey(data_key, kCheckKeyId)),
      mask_key_(subkey(data_key, kMaskKeyId, crypto_shorthash_KEYBYTES)) {
    std::uint8_t full[crypto_generichash_BYTES_MIN];
    crypto_generichash(full, sizeof full, book_id_.data(), book_id_.size(), check_key_.data(),
                       check_key_.size());
    std::memcpy(key_check_.data(), full, key_check_.size());
}

void PageCipher::seal(std::span<const std::uint8_t> source, std::span<std::uint8_t> page,
                      std::size_t clear_prefix, const PagePlace& place) const {
    if (source.data() != page.data()) std::memcpy(page.data(), source.data(), clear_prefix);
    std::uint8_t ad[kMaxAd];
    const std::size_t ad_size = associated_data(ad, book_id_, place);
    std::uint8_t* nonce = page.data() + page.size() - kPageReserve;
    std::uint8_t* tag = nonce + kNonceBytes;
    draw_nonce(nonce);
    if (NonceObserver observer = g_observer.load()) observer(nonce, g_observer_context.load());
    const std::size_t length = page.size() - kPageReserve - clear_prefix;
    aead_seal(page.data() + clear_prefix, source.data() + clear_prefix, length, tag, ad, ad_size, nonce,
              page_key_.data());
}

bool PageCipher::open(std::span<std::uint8_t> page, std::size_t clear_prefix,
                      const PagePlace& place) const {
    std::uint8_t ad[kMaxAd];
    const std::size_t ad_size = associated_data(ad, book_id_, place);
    std::uint8_t* nonce = page.data() + page.size() - kPageReserve;
    const std::uint8_t* tag = nonce + kNonceBytes;
    const std::size_t length = page.size() - kPageReserve - clear_prefix;
    // A page that does not authenticate is zeroed: never handed on as data.
    if (!aead_open(page.data() + clear_prefix, length, tag, ad, ad_size, nonce, page_key_.data()))
        return false;
    std::memset(nonce, 0, kPageReserve);
    return true;
}

std::array<std::uint8_t, 8> PageCipher::frame_checksum_mask(std::span<const std::uint8_t> header16,
                                                            std::int64_t frame_offset) const {
    // SipHash-2-4 (crypto_shorthash), a keyed PRF with exactly the 8 bytes
    // needed: it runs for every WAL frame written, so it must cost little.
    std::uint8_t message[24];
    std::memcpy(message, header16.data(), 16);
    for (int i = 0; i < 8; ++i) message[16 + i] = static_cast<std::uint8_t>(frame_offset >> (8 * i));
    std::array<std::uint8_t, 8> mask{};
    crypto_shorthash(mask.data(), message, sizeof message, mask_key_.data());
    return mask;
}

}  // namespace forecourt::crypto
