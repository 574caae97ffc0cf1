// The encrypting VFS's rollback journal. Journal headers start on sector
// boundaries and stay readable; a page record is its page number (4 bytes,
// clear), the page (sealed with that number bound in) and SQLite's checksum.
// Record pages always start 4 bytes past a multiple of 8, never on a sector.
#include <cstring>

#include "cipher_file.hpp"

namespace forecourt::crypto::detail {
namespace {

constexpr unsigned char kJournalMagic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
constexpr int kJournalHeaderFields = 28;

bool page_sized(int amount) { return amount >= 512 && amount <= 65536 && (amount & (amount - 1)) == 0; }

bool all_zero(const std::uint8_t* p, int n) {
    for (int i = 0; i < n; ++i)
        if (p[i] != 0) return false;
    return true;
}

int refuse(FileState& file, int amount, sqlite3_int64 offset) {
    record_failure(file, ErrorCode::internal,
                   "refused to write " + std::to_string(amount) + " bytes at offset " +
                       std::to_string(offset) + " of the journal: not a header or a page "
                       "record, and nothing is ever written in the clear");
    return SQLITE_IOERR_WRITE;
}

}  // namespace

int journal_write(FileState& file, const void* buffer, int amount, sqlite3_int64 offset) {
    const auto* in = static_cast<const std::uint8_t*>(buffer);
    if (amount == 4) {
        file.pgno_offset = offset;
        file.pgno = get_be32(in);
        return raw_write(file, buffer, amount, offset);
    }
    if (amount >= 512 && offset % 512 == 0) {
        // A journal header padded to the sector size: magic (or zeros until the
        // journal is synced), counters in bytes 8..27, then zeros.
        const bool magic = std::memcmp(in, kJournalMagic, 8) == 0 || all_zero(in, 8);
        if (!magic || !all_zero(in + kJournalHeaderFields, amount - kJournalHeaderFields))
            return refuse(file, amount, offset);
        return raw_write(file, buffer, amount, offset);
    }
    if (page_sized(amount) && offset == file.pgno_offset + 4) {
        const std::uint32_t pgno = file.pgno;
        if (pgno == 1 ? !learn_geometry(file, in, amount) : !geometry_for_write(file, amount))
            return SQLITE_IOERR_WRITE;
        file.scratch.resize(static_cast<std::size_t>(amount));
        file.cipher->seal({in, static_cast<std::size_t>(amount)}, file.scratch, 0,
                          PagePlace{PageHome::journal, pgno});
        return raw_write(file, file.scratch.data(), amount, offset);
    }
    if (amount >= 512) return refuse(file, amount, offset);
    return raw_write(file, buffer, amount, offset);
}

int journal_read(FileState& file, void* buffer, int amount, sqlite3_int64 offset) {
    if (!page_sized(amount) || offset % 8 != 4) return raw_read(file, buffer, amount, offset);
    std::uint8_t number[4];
    int rc = raw_read(file, number, sizeof number, offset - 4);
    if (rc != SQLITE_OK) return rc;
    rc = raw_read(file, buffer, amount, offset);
    if (rc != SQLITE_OK) return rc;
    const std::uint32_t pgno = get_be32(number);
    std::span<std::uint8_t> page(static_cast<std::uint8_t*>(buffer), static_cast<std::size_t>(amount));
    if (!file.cipher->open(page, 0, PagePlace{PageHome::journal, pgno})) {
        record_failure(file, ErrorCode::tampered,
                       "the journal's copy of page " + std::to_string(pgno) +
                           " failed authentication: the journal was changed outside Forecourt "
                           "or damaged (tampered)");
        return SQLITE_IOERR_DATA;
    }
    return SQLITE_OK;
}

}  // namespace forecourt::crypto::detail
