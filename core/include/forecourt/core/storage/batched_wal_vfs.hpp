// A SQLite VFS, over the OS default, that writes a transaction's WAL frames in
// few calls. SQLite writes each frame in two (its 24-byte header, then its
// page), so a pushed batch that dirties 480 pages made 960 `pwrite` calls at
// its commit. This VFS holds writes that append to a WAL file in memory and
// writes them, in calls of up to 128 KiB, once the commit frame is complete:
// before SQLite syncs the WAL or publishes the commit in the wal-index, so
// other connections, and the file after a crash of the process, see every
// committed frame. It writes them earlier when the batch is full or the file
// is read, synced, sized, truncated or closed. A write anywhere else in the
// WAL (SQLite rewriting a frame in place) goes straight down, after what is
// held. Every other file opens on the default VFS itself.
//
// The store server's database uses it (encrypted books batch their frames in
// the encrypting VFS already).
#pragma once

#include <cstdint>

namespace forecourt::storage {

// The VFS's name for sqlite3_open_v2 (registered on the first call).
const char* batched_wal_vfs();

// Writes to WAL files through the VFS since the process started: as SQLite
// asked for them, and as written to the file underneath.
struct BatchedWalCounts {
    std::int64_t asked = 0;
    std::int64_t written = 0;
};
BatchedWalCounts batched_wal_counts();

}  // namespace forecourt::storage
