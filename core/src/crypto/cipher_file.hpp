// Internal to the encrypting VFS: the state of one open file and the helpers
// the database, WAL and journal handlers share.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "forecourt/core/crypto/page_cipher.hpp"
#include "forecourt/core/result.hpp"
#include "read_ahead.hpp"

namespace forecourt::crypto::detail {

enum class FileKind { database, wal, journal };

// SQLite's header string; in an encrypted book these 16 bytes of page 1 hold
// the book id prefix and key check instead.
inline constexpr char kSqliteMagic[] = "SQLite format 3";
inline constexpr int kWalHeaderBytes = 32;
inline constexpr int kFrameHeaderBytes = 24;
// Custom file control through which take_vfs_failure asks the main file.
inline constexpr int kFcntlTakeFailure = 0x46430001;
// Custom file control through which read_ahead_counters asks the main file.
inline constexpr int kFcntlReadAheadCounters = 0x46430002;
// Custom file control through which wal_write_counters asks the main file.
inline constexpr int kFcntlWalWriteCounters = 0x46430003;

struct FileState {
    FileKind kind = FileKind::database;
    const PageCipher* cipher = nullptr;
    sqlite3_file* real = nullptr;
    std::string name;               // for messages: the file's name without directories
    FileState* main = nullptr;      // the database this file belongs to (itself for the database)

    // The database's geometry, learnt from page 1 (kept on the database's state).
    int page_size = 0;
    int reserve = -1;

    // The WAL header's salts (kept on the database's state), for reading
    // frames: read once per lock change instead of once per frame (a frame
    // written takes them from its own header; see wal_file.cpp). Any
    // xShmLock, a WAL opened, closed or truncated forgets them; a WAL header
    // written sets them.
    bool wal_salts_known = false;
    std::array<std::uint8_t, 8> wal_salts{};

    // Last failure, kept on the database's state until take_vfs_failure.
    bool failed = false;
    ErrorCode failure_code = ErrorCode::storage;
    std::string failure;

    // Rollback journal: the page number written just before a page record.
    std::int64_t pgno_offset = -1;
    std::uint32_t pgno = 0;

    // WAL: the first 16 bytes of the frame header written last, and where.
    std::int64_t frame_offset = -1;
    std::array<std::uint8_t, 16> frame_header{};
    // WAL: a frame header (masked) not yet on disk. SQLite writes a frame as
    // its header then its page; the two go down in one write. Any other
    // operation on the WAL writes a pending header first.
    bool header_pending = false;
    std::array<std::uint8_t, kFrameHeaderBytes> pending_header{};
    // WAL: whole frames (masked header, sealed page) not yet on disk, which
    // follow one another from batch_offset. A transaction's frames go down in
    // one write when its commit frame is written, or sooner when the batch is
    // full or anything else touches the file (see wal_file.cpp).
    std::vector<std::uint8_t> batch;
    sqlite3_int64 batch_offset = 0;
    // WAL: frames sealed and the writes that took them to the file (kept on
    // the database's state), for wal_write_counters.
    std::uint64_t wal_frames = 0;
    std::uint64_t wal_writes = 0;

    std::vector<std::uint8_t> scratch;

    // Database: pages of forward scans opened ahead (created at the first
    // whole-page read; stopped before the file closes).
    std::unique_ptr<ReadAhead> read_ahead;
};

// The database's lock state changed or the file was written: pages opened
// ahead before now are not used.
inline void new_epoch(FileState& file) {
    if (file.read_ahead) file.read_ahead->new_epoch();
}

// Records why an operation failed on the database's state (never key material).
void record_failure(FileState& file, ErrorCode code, std::string message);

int raw_read(FileState& file, void* buffer, int amount, sqlite3_int64 offset);
int raw_write(FileState& file, const void* buffer, int amount, sqlite3_int64 offset);
sqlite3_int64 raw_size(FileState& file);

std::uint32_t get_be32(const std::uint8_t* p);
void put_be32(std::uint8_t* p, std::uint32_t v);

// Page size from SQLite header bytes 16..17 (0 if not a valid page size).
int page_size_from_header(const std::uint8_t* header16_to_24);

// Checks page 1's geometry as SQLite wrote or read it and keeps it on the
// database's state; false (with a recorded failure) if the page has no room
// for nonce and tag.
bool learn_geometry(FileState& file, const std::uint8_t* page1, int page_size);
// The page geometry for sealing: the database's, read from its header if not
// yet known. False (failure recorded) if it is unknown or too small a reserve.
bool geometry_for_write(FileState& file, int page_size);

int database_read(FileState& file, void* buffer, int amount, sqlite3_int64 offset);
int database_write(FileState& file, const void* buffer, int amount, sqlite3_int64 offset);
int wal_read(FileState& file, void* buffer, int amount, sqlite3_int64 offset);
int wal_write(FileState& file, const void* buffer, int amount, sqlite3_int64 offset);
// Writes the WAL frames and the frame header held back (see FileState);
// SQLITE_OK when none are.
int wal_flush(FileState& file);
int journal_read(FileState& file, void* buffer, int amount, sqlite3_int64 offset);
int journal_write(FileState& file, const void* buffer, int amount, sqlite3_int64 offset);

}  // namespace forecourt::crypto::detail
