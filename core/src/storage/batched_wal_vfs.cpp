// The batched-WAL VFS (batched_wal_vfs.hpp): a WAL file's appends are held and
// written together; everything else goes to the default VFS.
#include "forecourt/core/storage/batched_wal_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <new>
#include <vector>

namespace forecourt::storage {
namespace {

constexpr int kFrameHeaderBytes = 24;
// The most one write may hand the unix VFS: it masks the amount to 17 bits
// (a write of exactly 128 KiB would write nothing and report a full disk).
constexpr std::size_t kBatchBytes = 0x1ffff;

std::atomic<std::int64_t> g_asked{0};
std::atomic<std::int64_t> g_written{0};

// A WAL file as SQLite holds it: the methods pointer SQLite reads first, then
// the held writes, then (at kRealOffset) the default VFS's own file.
struct WalFile {
    sqlite3_file base{};
    sqlite3_file* real = nullptr;
    std::vector<unsigned char> held;
    sqlite3_int64 held_at = 0;      // where held[0] goes in the file
    sqlite3_int64 appended_to = 0;  // end of the furthest write in this WAL generation
    bool commit_header = false;     // the last write held is a commit frame's header
};
constexpr std::size_t kRealOffset = (sizeof(WalFile) + 7) & ~std::size_t{7};

WalFile& wal_of(sqlite3_file* file) { return *reinterpret_cast<WalFile*>(file); }
const sqlite3_io_methods& real_methods(const WalFile& wal) { return *wal.real->pMethods; }

int write_down(WalFile& wal, const void* data, std::size_t amount, sqlite3_int64 offset) {
    g_written.fetch_add(1, std::memory_order_relaxed);
    return real_methods(wal).xWrite(wal.real, data, static_cast<int>(amount), offset);
}

// Writes what is held. A failure reaches SQLite from the call that flushed.
int flush(WalFile& wal) {
    if (wal.held.empty()) return SQLITE_OK;
    const int rc = write_down(wal, wal.held.data(), wal.held.size(), wal.held_at);
    wal.held.clear();
    wal.commit_header = false;
    return rc;
}

// A frame header whose "database size after commit" is set ends a transaction.
bool is_commit_header(const unsigned char* header) {
    return (header[4] | header[5] | header[6] | header[7]) != 0;
}

int wal_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    WalFile& wal = wal_of(file);
    g_asked.fetch_add(1, std::memory_order_relaxed);
    const auto size = static_cast<std::size_t>(amount);
    if (offset == 0) wal.appended_to = 0;  // a new generation begins with its WAL header
    const bool appends = offset >= wal.appended_to && size <= kBatchBytes;
    wal.appended_to = std::max(wal.appended_to, offset + amount);
    const bool follows = offset == wal.held_at + static_cast<sqlite3_int64>(wal.held.size());
    if (!wal.held.empty() && (!appends || !follows || wal.held.size() + size > kBatchBytes)) {
        if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
    }
    // Rewriting a frame already written goes down at once, so nothing but a
    // transaction's appended frames is ever held when it commits.
    if (!appends) return write_down(wal, data, size, offset);
    if (wal.held.empty()) wal.held_at = offset;
    const auto* bytes = static_cast<const unsigned char*>(data);
    wal.held.insert(wal.held.end(), bytes, bytes + size);
    if (amount == kFrameHeaderBytes) {
        wal.commit_header = is_commit_header(bytes);
        return SQLITE_OK;
    }
    return wal.commit_header ? flush(wal) : SQLITE_OK;  // the commit frame's page: complete
}

// What reads, sizes, syncs or truncates the file sees every write first.
int wal_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
    WalFile& wal = wal_of(file);
    if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
    return real_methods(wal).xRead(wal.real, out, amount, offset);
}

int wal_truncate(sqlite3_file* file, sqlite3_int64 size) {
    WalFile& wal = wal_of(file);
    if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
    wal.appended_to = std::min(wal.appended_to, size);
    return real_methods(wal).xTruncate(wal.real, size);
}

int wal_sync(sqlite3_file* file, int flags) {
    WalFile& wal = wal_of(file);
    if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
    return real_methods(wal).xSync(wal.real, flags);
}

int wal_file_size(sqlite3_file* file, sqlite3_int64* size) {
    WalFile& wal = wal_of(file);
    if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
    return real_methods(wal).xFileSize(wal.real, size);
}

int wal_file_control(sqlite3_file* file, int op, void* arg) {
    WalFile& wal = wal_of(file);
    if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
    return real_methods(wal).xFileControl(wal.real, op, arg);
}

int wal_close(sqlite3_file* file) {
    WalFile& wal = wal_of(file);
    const int flushed = flush(wal);
    const int closed = real_methods(wal).xClose(wal.real);
    wal.~WalFile();
    return flushed != SQLITE_OK ? flushed : closed;
}

int wal_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
    WalFile& wal = wal_of(file);
    if (const int rc = flush(wal); rc != SQLITE_OK) return rc;
    return real_methods(wal).xFetch(wal.real, offset, amount, out);
}

// The rest goes down as it came.
int wal_lock(sqlite3_file* f, int level) { return real_methods(wal_of(f)).xLock(wal_of(f).real, level); }
int wal_unlock(sqlite3_file* f, int level) { return real_methods(wal_of(f)).xUnlock(wal_of(f).real, level); }
int wal_check_reserved(sqlite3_file* f, int* out) {
    return real_methods(wal_of(f)).xCheckReservedLock(wal_of(f).real, out);
}
int wal_sector_size(sqlite3_file* f) { return real_methods(wal_of(f)).xSectorSize(wal_of(f).real); }
int wal_device(sqlite3_file* f) { return real_methods(wal_of(f)).xDeviceCharacteristics(wal_of(f).real); }
int wal_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return real_methods(wal_of(f)).xShmMap(wal_of(f).real, region, size, extend, out);
}
int wal_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real_methods(wal_of(f)).xShmLock(wal_of(f).real, offset, n, flags);
}
void wal_shm_barrier(sqlite3_file* f) { real_methods(wal_of(f)).xShmBarrier(wal_of(f).real); }
int wal_shm_unmap(sqlite3_file* f, int remove) { return real_methods(wal_of(f)).xShmUnmap(wal_of(f).real, remove); }
int wal_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
    return real_methods(wal_of(f)).xUnfetch(wal_of(f).real, offset, page);
}

const sqlite3_io_methods kWalMethods = {
    3,           wal_close,       wal_read,       wal_write,        wal_truncate,  wal_sync,
    wal_file_size, wal_lock,      wal_unlock,     wal_check_reserved, wal_file_control, wal_sector_size,
    wal_device,  wal_shm_map,     wal_shm_lock,   wal_shm_barrier,  wal_shm_unmap, wal_fetch,
    wal_unfetch,
};

// WAL files are wrapped; any other file is the default VFS's own, opened in
// the space SQLite gave (at least as large as the default VFS asks for).
int open_file(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    auto* base = static_cast<sqlite3_vfs*>(vfs->pAppData);
    if ((flags & SQLITE_OPEN_WAL) == 0) return base->xOpen(base, name, file, flags, out_flags);
    auto* real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
    real->pMethods = nullptr;
    const int rc = base->xOpen(base, name, real, flags, out_flags);
    if (rc != SQLITE_OK || real->pMethods == nullptr || real->pMethods->iVersion < 3) {
        if (real->pMethods) real->pMethods->xClose(real);
        file->pMethods = nullptr;
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    auto* wal = new (file) WalFile();
    wal->real = real;
    wal->base.pMethods = &kWalMethods;
    return SQLITE_OK;
}

}  // namespace

const char* batched_wal_vfs() {
    static sqlite3_vfs vfs;
    static std::once_flag registered;
    std::call_once(registered, [] {
        sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
        // The default VFS's other methods ignore which VFS they are called
        // through (the unix VFS reads only mxPathname, copied here too).
        vfs = *base;
        vfs.pNext = nullptr;
        vfs.zName = "forecourt-batched-wal";
        vfs.pAppData = base;
        vfs.szOsFile = static_cast<int>(kRealOffset) + base->szOsFile;
        vfs.xOpen = open_file;
        sqlite3_vfs_register(&vfs, 0);
    });
    return vfs.zName;
}

BatchedWalCounts batched_wal_counts() {
    return BatchedWalCounts{g_asked.load(std::memory_order_relaxed), g_written.load(std::memory_order_relaxed)};
}

}  // namespace forecourt::storage
