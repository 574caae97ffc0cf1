// Sealing one page of an encrypted book: XChaCha20-Poly1305 with a fresh random
// nonce per write; nonce and tag go in the page's reserved bytes, and the book's
// id, the kind of file and the page number are bound in as associated data.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "forecourt/platform/secret_key.hpp"

namespace forecourt::crypto {

inline constexpr std::size_t kBookIdBytes = 16;
using BookId = std::array<std::uint8_t, kBookIdBytes>;

inline constexpr int kNonceBytes = 24;
inline constexpr int kTagBytes = 16;
// Bytes SQLite must leave free at the end of every page (PRAGMA reserve_bytes).
inline constexpr int kPageReserve = kNonceBytes + kTagBytes;

// Which file a sealed page lives in: a page sealed for one cannot be read as another.
enum class PageHome : std::uint8_t { database = 'D', wal = 'W', journal = 'J' };

// Where a page belongs. `bound` are clear bytes that must not change either:
// page 1's SQLite header bytes 16..23 in the database, a WAL frame's header.
struct PagePlace {
    PageHome home = PageHome::database;
    std::uint32_t page_number = 0;
    std::span<const std::uint8_t> bound = {};
};

// Called with each fresh nonce (diagnostics and tests: nonces must never repeat).
using NonceObserver = void (*)(const std::uint8_t* nonce, void* context);
void set_nonce_observer(NonceObserver observer, void* context);

class PageCipher {
public:
    PageCipher(const platform::SecretKey& data_key, const BookId& book_id);

    const BookId& book_id() const { return book_id_; }

    // Seals `source` into `page` (the same buffer, or one as large that does
    // not overlap it): bytes [clear_prefix, size - kPageReserve) encrypted,
    // the clear prefix copied, nonce and tag written into the last
    // kPageReserve bytes. `page` is at least 512 bytes.
    void seal(std::span<const std::uint8_t> source, std::span<std::uint8_t> page,
              std::size_t clear_prefix, const PagePlace& place) const;
    // Authenticates and decrypts in place; on success the reserve reads as zeros
    // (as SQLite wrote it). On failure the sealed bytes are zeroed and false returned.
    bool open(std::span<std::uint8_t> page, std::size_t clear_prefix, const PagePlace& place) const;

    // 8 bytes derived from the data key and book id, kept in the clear in the
    // database header: tells "wrong key" apart from "tampered page".
    const std::array<std::uint8_t, 8>& key_check() const { return key_check_; }
    // Hides SQLite's WAL frame checksum (computed over the plaintext page):
    // XOR mask keyed by the data key, the frame's first 16 header bytes and offset.
    std::array<std::uint8_t, 8> frame_checksum_mask(std::span<const std::uint8_t> header16,
                                                    std::int64_t frame_offset) const;

private:
    BookId book_id_{};
    platform::SecretKey page_key_;
    platform::SecretKey check_key_;
    platform::SecretKey mask_key_;
    std::array<std::uint8_t, 8> key_check_{};
};

}  // namespace forecourt::crypto
