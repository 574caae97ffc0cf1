// Registration of the encrypting VFS and its sqlite3_io_methods: reads and
// writes go to the database, WAL or journal handler; memory-mapped I/O is
// refused so no page bypasses decryption; temporary files are never created.
#include "forecourt/core/crypto/cipher_vfs.hpp"

#include <atomic>
#include <cstring>
#include <fstream>

#include "cipher_file.hpp"
#include "forecourt/platform/random.hpp"

namespace forecourt::crypto {

using detail::FileKind;
using detail::FileState;

struct CipherVfs::Registration {
    sqlite3_vfs vfs{};
    sqlite3_vfs* root = nullptr;
    const PageCipher* cipher = nullptr;
};

namespace {

struct CipherFile {
    sqlite3_file base;
    FileState* state;
};

constexpr int kCipherFileBytes = (sizeof(CipherFile) + 7) & ~7;

sqlite3_file* real_of(sqlite3_file* file) {
    return reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kCipherFileBytes);
}

FileState& state_of(sqlite3_file* file) { return *reinterpret_cast<CipherFile*>(file)->state; }

sqlite3_vfs* root_of(sqlite3_vfs* vfs) {
    return static_cast<CipherVfs::Registration*>(vfs->pAppData)->root;
}

// Forgets the WAL salts kept on the database's state (see FileState).
void forget_wal_salts(FileState& state) {
    if (state.main) state.main->wal_salts_known = false;
}

// WAL frames and a frame header held back go down before anything else
// touches the file (see FileState::batch).
int flush_wal(FileState& state) {
    return state.kind == FileKind::wal ? detail::wal_flush(state) : SQLITE_OK;
}

int file_close(sqlite3_file* file) {
    FileState* state = &state_of(file);
    state->read_ahead.reset();  // its helper reads the real file: stop it first
    if (state->kind == FileKind::wal) forget_wal_salts(*state);
    const int flushed = state->real->pMethods ? flush_wal(*state) : SQLITE_OK;
    const int rc = state->real->pMethods ? state->real->pMethods->xClose(state->real) : SQLITE_OK;
    delete state;
    return flushed != SQLITE_OK ? flushed : rc;
}

int file_read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
    FileState& s = state_of(file);
    switch (s.kind) {
        case FileKind::database: return detail::database_read(s, buffer, amount, offset);
        case FileKind::wal: return detail::wal_read(s, buffer, amount, offset);
        case FileKind::journal: return detail::journal_read(s, buffer, amount, offset);
    }
    return SQLITE_IOERR_READ;
}

int file_write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
    FileState& s = state_of(file);
    switch (s.kind) {
        case FileKind::database: return detail::database_write(s, buffer, amount, offset);
        case FileKind::wal: return detail::wal_write(s, buffer, amount, offset);
        case FileKind::journal: return detail::journal_write(s, buffer, amount, offset);
    }
    return SQLITE_IOERR_WRITE;
}

#define FC_REAL(file) state_of(file).real
int file_truncate(sqlite3_file* f, sqlite3_int64 size) {
    forget_wal_salts(state_of(f));
    if (const int rc = flush_wal(state_of(f)); rc != SQLITE_OK) return rc;
    const int rc = FC_REAL(f)->pMethods->xTruncate(FC_REAL(f), size);
    detail::new_epoch(state_of(f));
    return rc;
}
int file_sync(sqlite3_file* f, int flags) {
    if (const int rc = flush_wal(state_of(f)); rc != SQLITE_OK) return rc;
    return FC_REAL(f)->pMethods->xSync(FC_REAL(f), flags);
}
int file_size(sqlite3_file* f, sqlite3_int64* size) {
    if (const int rc = flush_wal(state_of(f)); rc != SQLITE_OK) return rc;
    return FC_REAL(f)->pMethods->xFileSize(FC_REAL(f), size);
}
// Pages opened ahead belong to the lock state they were read under: every
// change of it starts a new epoch, after the change (see read_ahead.hpp).
int file_lock(sqlite3_file* f, int level) {
    const int rc = FC_REAL(f)->pMethods->xLock(FC_REAL(f), level);
    detail::new_epoch(state_of(f));
    return rc;
}
int file_unlock(sqlite3_file* f, int level) {
    const int rc = FC_REAL(f)->pMethods->xUnlock(FC_REAL(f), level);
    detail::new_epoch(state_of(f));
    return rc;
}
int file_check_lock(sqlite3_file* f, int* out) { return FC_REAL(f)->pMethods->xCheckReservedLock(FC_REAL(f), out); }
int file_sector_size(sqlite3_file* f) { return FC_REAL(f)->pMethods->xSectorSize(FC_REAL(f)); }
int file_device(sqlite3_file* f) { return FC_REAL(f)->pMethods->xDeviceCharacteristics(FC_REAL(f)); }
int file_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return FC_REAL(f)->pMethods->xShmMap(FC_REAL(f), region, size, extend, out);
}
// Every transaction takes and drops shared-memory locks: another connection
// may have restarted the WAL with new salts since this one last looked.
int file_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    forget_wal_salts(state_of(f));
    const int rc = FC_REAL(f)->pMethods->xShmLock(FC_REAL(f), offset, n, flags);
    detail::new_epoch(state_of(f));
    return rc;
}
void file_shm_barrier(sqlite3_file* f) { FC_REAL(f)->pMethods->xShmBarrier(FC_REAL(f)); }
int file_shm_unmap(sqlite3_file* f, int remove) { return FC_REAL(f)->pMethods->xShmUnmap(FC_REAL(f), remove); }
#undef FC_REAL

// Pages handed out by pointer would skip decryption (and writes through a
// mapping would skip encryption): SQLite falls back to xRead when we decline.
int file_fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
    *out = nullptr;
    return SQLITE_OK;
}
int file_unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

struct FailureReport {
    bool set = false;
    ErrorCode code = ErrorCode::storage;
    std::string message;
};

int file_control(sqlite3_file* file, int op, void* arg) {
    FileState& s = state_of(file);
    if (op == detail::kFcntlTakeFailure) {
        auto* report = static_cast<FailureReport*>(arg);
        FileState& main = s.main ? *s.main : s;
        report->set = main.failed;
        report->code = main.failure_code;
        report->message = std::move(main.failure);
        main.failed = false;
        main.failure.clear();
        return SQLITE_OK;
    }
    if (op == detail::kFcntlReadAheadCounters) {
        auto* out = static_cast<ReadAheadCounters*>(arg);
        *out = s.read_ahead ? s.read_ahead->counters() : ReadAheadCounters{};
        return SQLITE_OK;
    }
    if (op == detail::kFcntlWalWriteCounters) {
        const FileState& main = s.main ? *s.main : s;
        *static_cast<WalWriteCounters*>(arg) = WalWriteCounters{main.wal_frames, main.wal_writes};
        return SQLITE_OK;
    }
    if (const int rc = flush_wal(s); rc != SQLITE_OK) return rc;
    if (op == SQLITE_FCNTL_MMAP_SIZE) {
        *static_cast<sqlite3_int64*>(arg) = 0;
        return SQLITE_OK;
    }
    return s.real->pMethods->xFileControl(s.real, op, arg);
}

const sqlite3_io_methods kMethods = {
    3,          file_close,      file_read,       file_write,     file_truncate,
    file_sync,  file_size,       file_lock,       file_unlock,    file_check_lock,
    file_control, file_sector_size, file_device,  file_shm_map,   file_shm_lock,
    file_shm_barrier, file_shm_unmap, file_fetch, file_unfetch,
};

std::string base_name(const char* path) {
    if (!path) return "(temporary file)";
    const char* slash = std::strrchr(path, '/');
    return slash ? slash + 1 : path;
}

// Only the three kinds of file the shim can seal are ever opened: a temporary
// database, statement journal or super-journal would hold plaintext on disk.
bool kind_of(int flags, FileKind* kind) {
    if (flags & SQLITE_OPEN_MAIN_DB) *kind = FileKind::database;
    else if (flags & SQLITE_OPEN_WAL) *kind = FileKind::wal;
    else if (flags & SQLITE_OPEN_MAIN_JOURNAL) *kind = FileKind::journal;
    else return false;
    return true;
}

int vfs_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    auto* reg = static_cast<CipherVfs::Registration*>(vfs->pAppData);
    file->pMethods = nullptr;
    FileKind kind{};
    if (!name || !kind_of(flags, &kind)) return SQLITE_CANTOPEN;
    FileState* main = nullptr;
    if (kind != FileKind::database) {
        sqlite3_file* db_file = sqlite3_database_file_object(name);
        if (!db_file || db_file->pMethods != &kMethods) return SQLITE_CANTOPEN;
        main = &state_of(db_file);
    }
    sqlite3_file* real = real_of(file);
    const int rc = reg->root->xOpen(reg->root, name, real, flags, out_flags);
    if (rc != SQLITE_OK) {
        if (real->pMethods) real->pMethods->xClose(real);
        return rc;
    }
    auto* state = new FileState;
    state->kind = kind;
    state->cipher = reg->cipher;
    state->real = real;
    state->name = base_name(name);
    state->main = main ? main : state;
    if (kind == FileKind::wal) forget_wal_salts(*state);
    reinterpret_cast<CipherFile*>(file)->state = state;
    file->pMethods = &kMethods;
    return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs* v, const char* name, int sync_dir) { return root_of(v)->xDelete(root_of(v), name, sync_dir); }
int vfs_access(sqlite3_vfs* v, const char* name, int flags, int* out) { return root_of(v)->xAccess(root_of(v), name, flags, out); }
int vfs_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) { return root_of(v)->xFullPathname(root_of(v), name, n, out); }
void* vfs_dl_open(sqlite3_vfs* v, const char* name) { return root_of(v)->xDlOpen(root_of(v), name); }
void vfs_dl_error(sqlite3_vfs* v, int n, char* out) { root_of(v)->xDlError(root_of(v), n, out); }
void (*vfs_dl_sym(sqlite3_vfs* v, void* h, const char* sym))(void) { return root_of(v)->xDlSym(root_of(v), h, sym); }
void vfs_dl_close(sqlite3_vfs* v, void* h) { root_of(v)->xDlClose(root_of(v), h); }
int vfs_randomness(sqlite3_vfs* v, int n, char* out) { return root_of(v)->xRandomness(root_of(v), n, out); }
int vfs_sleep(sqlite3_vfs* v, int us) { return root_of(v)->xSleep(root_of(v), us); }
int vfs_current_time(sqlite3_vfs* v, double* out) { return root_of(v)->xCurrentTime(root_of(v), out); }
int vfs_last_error(sqlite3_vfs* v, int n, char* out) { return root_of(v)->xGetLastError(root_of(v), n, out); }
int vfs_current_time64(sqlite3_vfs* v, sqlite3_int64* out) { return root_of(v)->xCurrentTimeInt64(root_of(v), out); }

std::atomic<int> g_next_vfs{1};

}  // namespace

CipherVfs::CipherVfs(const platform::SecretKey& data_key, const BookId& book_id)
    : cipher_(data_key, book_id),
      name_("forecourt-aead-" + std::to_string(g_next_vfs.fetch_add(1))),
      registration_(std::make_unique<Registration>()) {
    sqlite3_vfs* root = sqlite3_vfs_find(nullptr);
    Registration& r = *registration_;
    r.root = root;
    r.cipher = &cipher_;
    r.vfs.iVersion = 2;
    r.vfs.szOsFile = kCipherFileBytes + root->szOsFile;
    r.vfs.mxPathname = root->mxPathname;
    r.vfs.zName = name_.c_str();
    r.vfs.pAppData = &r;
    r.vfs.xOpen = vfs_open;
    r.vfs.xDelete = vfs_delete;
    r.vfs.xAccess = vfs_access;
    r.vfs.xFullPathname = vfs_full_pathname;
    r.vfs.xDlOpen = vfs_dl_open;
    r.vfs.xDlError = vfs_dl_error;
    r.vfs.xDlSym = vfs_dl_sym;
    r.vfs.xDlClose = vfs_dl_close;
    r.vfs.xRandomness = vfs_randomness;
    r.vfs.xSleep = vfs_sleep;
    r.vfs.xCurrentTime = vfs_current_time;
    r.vfs.xGetLastError = vfs_last_error;
    r.vfs.xCurrentTimeInt64 = vfs_current_time64;
}

std::shared_ptr<CipherVfs> CipherVfs::create(const platform::SecretKey& data_key,
                                             const BookId& book_id) {
    platform::ensure_sodium();
    std::shared_ptr<CipherVfs> vfs(new CipherVfs(data_key, book_id));
    sqlite3_vfs_register(&vfs->registration_->vfs, 0);
    return vfs;
}

CipherVfs::~CipherVfs() { sqlite3_vfs_unregister(&registration_->vfs); }

std::optional<Error> take_vfs_failure(sqlite3* db) {
    if (!db) return std::nullopt;
    FailureReport report;
    if (sqlite3_file_control(db, "main", detail::kFcntlTakeFailure, &report) != SQLITE_OK ||
        !report.set)
        return std::nullopt;
    return make_error(report.code, std::move(report.message), ErrorDomain::crypto);
}

namespace {

// Counters the main database's file keeps, asked for through a file control
// only the encrypting VFS answers.
template <typename Counters>
std::optional<Counters> counters_of(sqlite3* db, int op) {
    Counters counters;
    if (!db || sqlite3_file_control(db, "main", op, &counters) != SQLITE_OK) return std::nullopt;
    return counters;
}

}  // namespace

std::optional<ReadAheadCounters> read_ahead_counters(sqlite3* db) {
    return counters_of<ReadAheadCounters>(db, detail::kFcntlReadAheadCounters);
}

std::optional<WalWriteCounters> wal_write_counters(sqlite3* db) {
    return counters_of<WalWriteCounters>(db, detail::kFcntlWalWriteCounters);
}

FileFormat inspect_database_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return FileFormat::missing;
    std::uint8_t header[24] = {};
    in.read(reinterpret_cast<char*>(header), sizeof header);
    const auto got = in.gcount();
    if (got == 0) return FileFormat::empty;
    if (got < static_cast<std::streamsize>(sizeof header)) return FileFormat::unknown;
    if (std::memcmp(header, detail::kSqliteMagic, 16) == 0) return FileFormat::plain;
    if (detail::page_size_from_header(header + 16) != 0 && header[20] >= kPageReserve)
        return FileFormat::encrypted;
    return FileFormat::unknown;
}

}  // namespace forecourt::crypto
