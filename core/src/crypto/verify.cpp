// verify_book: authenticates every page of the database file and every frame of
// the WAL's current generation straight from disk, then asks SQLite for an
// integrity check through the encrypting VFS.
#include <cstring>
#include <fstream>
#include <set>

#include "cipher_file.hpp"
#include "forecourt/core/storage/database.hpp"
#include "vault_internal.hpp"

namespace forecourt::crypto {
namespace {

using detail::get_be32;

std::vector<std::uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool open_database_page(const PageCipher& cipher, std::vector<std::uint8_t> page, std::uint32_t pgno) {
    std::span<std::uint8_t> span(page);
    if (pgno == 1) return cipher.open(span, 24, PagePlace{PageHome::database, 1, span.subspan(16, 8)});
    return cipher.open(span, 0, PagePlace{PageHome::database, pgno});
}

// Frames of the current WAL generation. A frame that fails is a problem when
// two intact commits follow it (see wal_file.cpp); a failing tail is a commit
// cut short by a crash, which SQLite discards. Returns the pages the WAL holds.
std::set<std::uint32_t> scan_wal(const std::string& path, const PageCipher& cipher, VerifyReport& report) {
    std::set<std::uint32_t> pages;
    const auto wal = read_all(path);
    if (wal.size() < detail::kWalHeaderBytes) return pages;
    const std::size_t page_size = get_be32(&wal[8]);
    if (page_size < 512 || page_size > 65536) {
        report.problems.push_back(path + ": the WAL header names no valid page size");
        return pages;
    }
    const std::size_t frame_bytes = detail::kFrameHeaderBytes + page_size;
    std::vector<std::string> pending;  // failures not yet followed by two commits
    int commits_since_failure = 0;
    for (std::size_t at = detail::kWalHeaderBytes; at + frame_bytes <= wal.size(); at += frame_bytes) {
        const std::uint8_t* header = &wal[at];
        if (std::memcmp(header + 8, &wal[16], 8) != 0) break;
        std::vector<std::uint8_t> page(header + detail::kFrameHeaderBytes, header + frame_bytes);
        const std::uint32_t pgno = get_be32(header);
        const std::size_t frame = (at - detail::kWalHeaderBytes) / frame_bytes + 1;
        if (!cipher.open(page, 0, PagePlace{PageHome::wal, pgno, {header, 16}})) {
            pending.push_back(path + ": frame " + std::to_string(frame) + " (page " +
                              std::to_string(pgno) + ") failed authentication (tampered)");
            commits_since_failure = 0;
            continue;
        }
        ++report.wal_frames;
        pages.insert(pgno);
        if (get_be32(header + 4) != 0 && !pending.empty() && ++commits_since_failure >= 2) {
            report.problems.insert(report.problems.end(), pending.begin(), pending.end());
            pending.clear();
        }
    }
    return pages;
}

void scan_database(const std::string& path, const PageCipher& cipher,
                   const std::set<std::uint32_t>& in_wal, VerifyReport& report) {
    const auto db = read_all(path);
    if (db.size() < 24) return;
    const std::size_t page_size = static_cast<std::size_t>(detail::page_size_from_header(&db[16]));
    if (page_size == 0) {
        report.problems.push_back(path + ": the header names no valid page size");
        return;
    }
    if (db.size() % page_size != 0)
        report.problems.push_back(path + ": truncated: the last page is cut short");
    for (std::size_t at = 0; at + page_size <= db.size(); at += page_size) {
        const auto pgno = static_cast<std::uint32_t>(at / page_size + 1);
        std::vector<std::uint8_t> page(db.begin() + static_cast<std::ptrdiff_t>(at),
                                       db.begin() + static_cast<std::ptrdiff_t>(at + page_size));
        if (open_database_page(cipher, std::move(page), pgno)) ++report.database_pages;
        // A page the WAL holds a newer copy of may have been cut by a crash
        // during a checkpoint; SQLite never reads that copy again.
        else if (!in_wal.count(pgno))
            report.problems.push_back(path + ": page " + std::to_string(pgno) +
                                      " failed authentication (tampered)");
    }
}

void integrity_check(const BookFiles& files, const CipherVfs& vfs, VerifyReport& report) {
    storage::OpenOptions o;
    o.path = files.database;
    o.create = false;
    o.vfs = vfs.name();
    auto db = storage::Database::open(o);
    if (!db.ok()) {
        report.problems.push_back(db.error().message);
        return;
    }
    auto q = storage::Query::prepare(*db, "PRAGMA integrity_check");
    if (!q.ok()) {
        report.problems.push_back(q.error().message);
        return;
    }
    for (;;) {
        auto row = (*q)->step();
        if (!row.ok()) {
            report.problems.push_back(row.error().message);
            return;
        }
        if (!*row) break;
        const std::string line = (*q)->text(0);
        if (line != "ok") report.problems.push_back("integrity_check: " + line);
    }
}

}  // namespace

Result<VerifyReport> verify_book(const std::string& database_path, platform::KeyStore& keys) {
    const BookFiles files = BookFiles::of(database_path);
    FC_ASSIGN(detail::UnlockedKey unlocked, detail::unlock_key(files, keys));
    FC_TRY(detail::finish_interrupted_rekey(files, unlocked.vfs->cipher()));
    VerifyReport report;
    const Status fits = detail::check_database(files.database, unlocked.vfs->cipher());
    if (!fits.ok()) {
        if (fits.error().code == ErrorCode::wrong_key) return fits.error();
        report.problems.push_back(fits.error().message);
    }
    const auto in_wal = scan_wal(files.wal, unlocked.vfs->cipher(), report);
    scan_database(files.database, unlocked.vfs->cipher(), in_wal, report);
    integrity_check(files, *unlocked.vfs, report);
    return report;
}

}  // namespace forecourt::crypto
