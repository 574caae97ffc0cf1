// The encrypting VFS's main database file. Page 1 keeps SQLite's bytes 16..23
// (page size, file format, reserve) in the clear so SQLite can size pages before
// anything is decrypted; its bytes 0..15 hold the book id prefix and key check.
// Every other byte of every page, up to the reserve, is sealed.
#include <algorithm>
#include <cstring>

#include "cipher_file.hpp"

namespace forecourt::crypto::detail {
namespace {

constexpr int kPage1Clear = 24;

std::string page_name(std::uint32_t pgno) { return "page " + std::to_string(pgno); }

// Why page 1 cannot be opened with this key, if its clear header says so.
bool check_page1_identity(FileState& file, const std::uint8_t* page) {
    if (std::memcmp(page, kSqliteMagic, 16) == 0) {
        record_failure(file, ErrorCode::invalid_state,
                       "this book is not encrypted (a plain SQLite file): open it without a key");
        return false;
    }
    const PageCipher& cipher = *file.cipher;
    if (std::memcmp(page, cipher.book_id().data(), 8) != 0) {
        record_failure(file, ErrorCode::wrong_key,
                       "the key file belongs to another book (book id differs)");
        return false;
    }
    if (std::memcmp(page + 8, cipher.key_check().data(), 8) != 0) {
        record_failure(file, ErrorCode::wrong_key,
                       "the key does not open this book (key check differs): the key file was "
                       "replaced or is older than the book's last rekey");
        return false;
    }
    return true;
}

// After a page failed: does it hold another page's sealed content (pages swapped or moved)?
void diagnose(FileState& file, std::uint32_t pgno, int page_size) {
    std::vector<std::uint8_t> sealed(static_cast<std::size_t>(page_size));
    std::vector<std::uint8_t> trial(sealed.size());
    const sqlite3_int64 offset = sqlite3_int64{pgno - 1} * page_size;
    const sqlite3_int64 pages = raw_size(file) / page_size;
    if (raw_read(file, sealed.data(), page_size, offset) == SQLITE_OK && pgno != 1) {
        for (sqlite3_int64 other = 2; other <= std::min<sqlite3_int64>(pages, 1 << 16); ++other) {
            if (other == pgno) continue;
            trial = sealed;
            const PagePlace place{PageHome::database, static_cast<std::uint32_t>(other)};
            if (file.cipher->open(trial, 0, place)) {
                record_failure(file, ErrorCode::tampered,
                               page_name(pgno) + " holds the sealed content of " +
                                   page_name(static_cast<std::uint32_t>(other)) +
                                   ": pages were swapped or moved (tampered)");
                return;
            }
        }
    }
    record_failure(file, ErrorCode::tampered,
                   page_name(pgno) + " failed authentication: it was changed outside "
                   "Forecourt, copied from another book or damaged (tampered)");
}

// Reads and opens one whole page into `page` (page_size bytes).
int read_page(FileState& file, std::uint8_t* page, std::uint32_t pgno, int page_size) {
    const sqlite3_int64 offset = sqlite3_int64{pgno - 1} * page_size;
    int rc = raw_read(file, page, page_size, offset);
    if (rc == SQLITE_IOERR_SHORT_READ) {
        const sqlite3_int64 size = raw_size(file);
        if (size <= offset) return rc;  // past the end: SQLite expects zeros
        record_failure(file, ErrorCode::corrupt,
                       "the file is truncated: " + page_name(pgno) + " is cut short (size " +
                           std::to_string(size) + " is not a whole number of " +
                           std::to_string(page_size) + "-byte pages)");
        return SQLITE_CORRUPT;
    }
    if (rc != SQLITE_OK) return rc;
    std::span<std::uint8_t> span(page, static_cast<std::size_t>(page_size));
    if (pgno == 1) {
        if (!check_page1_identity(file, page)) return SQLITE_NOTADB;
        const PagePlace place{PageHome::database, 1, span.subspan(16, 8)};
        if (!file.cipher->open(span, kPage1Clear, place)) {
            diagnose(file, 1, page_size);
            return SQLITE_IOERR_DATA;
        }
        std::memcpy(page, kSqliteMagic, 16);
        return learn_geometry(file, page, page_size) ? SQLITE_OK : SQLITE_NOTADB;
    }
    if (!file.cipher->open(span, 0, PagePlace{PageHome::database, pgno})) {
        diagnose(file, pgno, page_size);
        return SQLITE_IOERR_DATA;
    }
    return SQLITE_OK;
}

// The page size, from what we learnt or from the clear bytes 16..23 on disk; 0
// for a file too short to have a header yet.
int page_size_of(FileState& file, int* rc) {
    *rc = SQLITE_OK;
    if (file.page_size != 0) return file.page_size;
    std::uint8_t header[24];
    if (raw_read(file, header, sizeof header, 0) != SQLITE_OK) return 0;
    if (std::memcmp(header, kSqliteMagic, 16) == 0) {
        check_page1_identity(file, header);
        *rc = SQLITE_NOTADB;
        return 0;
    }
    const int size = page_size_from_header(header + 16);
    if (size == 0) {
        record_failure(file, ErrorCode::corrupt, "the file is not an encrypted Forecourt book");
        *rc = SQLITE_NOTADB;
    }
    return size;
}

}  // namespace

// Whole pages are read straight into SQLite's buffer; parts of pages (the
// 100-byte header, direct overflow reads) through a whole-page scratch.
int database_read(FileState& file, void* buffer, int amount, sqlite3_int64 offset) {
    int rc = SQLITE_OK;
    const int page_size = page_size_of(file, &rc);
    if (rc != SQLITE_OK) return rc;
    if (page_size == 0) return raw_read(file, buffer, amount, offset);
    auto* out = static_cast<std::uint8_t*>(buffer);
    if (amount == page_size && offset % page_size == 0) {
        const auto pgno = static_cast<std::uint32_t>(offset / page_size + 1);
        if (!file.read_ahead) file.read_ahead = std::make_unique<ReadAhead>(file.real, *file.cipher, page_size);
        ReadAhead& ahead = *file.read_ahead;
        const int read = ahead.take(pgno, out) ? SQLITE_OK : read_page(file, out, pgno, page_size);
        if (read == SQLITE_OK && pgno != 1) ahead.saw(pgno, out);
        return read;
    }
    file.scratch.resize(static_cast<std::size_t>(page_size));
    int result = SQLITE_OK;
    for (sqlite3_int64 at = offset; at < offset + amount;) {
        const auto pgno = static_cast<std::uint32_t>(at / page_size + 1);
        const sqlite3_int64 page_start = sqlite3_int64{pgno - 1} * page_size;
        const int from = static_cast<int>(at - page_start);
        const int n = static_cast<int>(std::min<sqlite3_int64>(page_size - from, offset + amount - at));
        rc = read_page(file, file.scratch.data(), pgno, page_size);
        if (rc == SQLITE_IOERR_SHORT_READ) {
            std::memset(out + (at - offset), 0, static_cast<std::size_t>(n));
            result = rc;
        } else if (rc != SQLITE_OK) {
            return rc;
        } else {
            std::memcpy(out + (at - offset), file.scratch.data() + from, static_cast<std::size_t>(n));
        }
        at += n;
    }
    return result;
}

// Only whole pages are written; anything else is refused rather than written clear.
int database_write(FileState& file, const void* buffer, int amount, sqlite3_int64 offset) {
    const auto* in = static_cast<const std::uint8_t*>(buffer);
    const bool whole_page = amount >= 512 && (amount & (amount - 1)) == 0 && offset % amount == 0;
    if (!whole_page) {
        record_failure(file, ErrorCode::internal,
                       "refused to write " + std::to_string(amount) + " bytes at offset " +
                           std::to_string(offset) + ": not a whole page, and nothing is ever "
                           "written in the clear");
        return SQLITE_IOERR_WRITE;
    }
    const auto pgno = static_cast<std::uint32_t>(offset / amount + 1);
    if (pgno == 1 && std::memcmp(in, kSqliteMagic, 16) != 0) {
        record_failure(file, ErrorCode::internal, "refused to write a page 1 without SQLite's header");
        return SQLITE_IOERR_WRITE;
    }
    if (pgno == 1 ? !learn_geometry(file, in, amount) : !geometry_for_write(file, amount))
        return SQLITE_IOERR_WRITE;
    file.scratch.resize(static_cast<std::size_t>(amount));
    std::span<std::uint8_t> page(file.scratch);
    const std::span<const std::uint8_t> source(in, static_cast<std::size_t>(amount));
    if (pgno == 1) {
        file.cipher->seal(source, page, kPage1Clear,
                          PagePlace{PageHome::database, 1, source.subspan(16, 8)});
        std::memcpy(page.data(), file.cipher->book_id().data(), 8);
        std::memcpy(page.data() + 8, file.cipher->key_check().data(), 8);
    } else {
        file.cipher->seal(source, page, 0, PagePlace{PageHome::database, pgno});
    }
    const int rc = raw_write(file, page.data(), amount, offset);
    new_epoch(file);  // after the write: a page read ahead during it is not used
    return rc;
}

}  // namespace forecourt::crypto::detail
