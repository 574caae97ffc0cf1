// Rekey: the database is copied page by page (SQLite's backup API) into
// book.db.rekey under a new data key; the copy is fsynced, the new wrapped key
// written to book.key.next and fsynced; renaming it over book.key is the
// commit point. The copy then replaces book.db. An interrupted rekey is
// finished or discarded by the next unlock (finish_interrupted_rekey), which
// tells the two apart by the key check in each database header.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include "file_ops.hpp"
#include "forecourt/core/storage/database.hpp"
#include "vault_internal.hpp"

namespace forecourt::crypto {
namespace {

Error rekey_error(const std::string& message) {
    return make_error(ErrorCode::storage, "rekey failed: " + message, ErrorDomain::crypto);
}

Status discard_copy(const BookFiles& files) {
    for (const auto& path : {files.rekey_copy, files.rekey_copy + "-journal", files.rekey_copy + "-wal",
                             files.rekey_copy + "-shm"})
        FC_TRY(detail::remove_durably(path));
    return ok_status();
}

// Moves the committed copy into place. Whatever the old WAL holds was
// committed before the copy was taken, so the copy has it too.
Status install_copy(const BookFiles& files) {
    FC_TRY(detail::remove_durably(files.wal));
    FC_TRY(detail::remove_durably(files.shm));
    FC_TRY(detail::remove_durably(files.journal));
    return detail::rename_durably(files.rekey_copy, files.database);
}

Status copy_pages(storage::Database& source, storage::Database& target, const RekeyOptions& options) {
    sqlite3_backup* backup = sqlite3_backup_init(target.handle(), "main", source.handle(), "main");
    if (!backup) return target.last_error("cannot start the copy");
    int rc = SQLITE_OK;
    for (int waits = 0; waits < 500;) {
        rc = sqlite3_backup_step(backup, options.pages_per_step);
        if ((rc == SQLITE_OK || rc == SQLITE_DONE) && options.progress) {
            const int total = sqlite3_backup_pagecount(backup);
            options.progress(total - sqlite3_backup_remaining(backup), total);
        }
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            ++waits;
            sqlite3_sleep(10);
        } else if (rc != SQLITE_OK) {
            break;
        }
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) return target.last_error("copying pages under the new key");
    return ok_status();
}

Result<storage::Database> open_with(const std::string& path, const CipherVfs& vfs, bool create) {
    storage::OpenOptions o;
    o.path = path;
    o.create = create;
    o.vfs = vfs.name();
    o.reserve_bytes = create ? kPageReserve : 0;
    o.wal = !create;
    return storage::Database::open(o);
}

// Builds book.db.rekey under `next` from the open source; durable when it returns.
Status write_copy(const BookFiles& files, storage::Database& source, const CipherVfs& next,
                  const RekeyOptions& options) {
    FC_TRY(discard_copy(files));
    {
        FC_ASSIGN(auto target, open_with(files.rekey_copy, next, true));
        // Page 1 on disk first: it tells the VFS the page geometry before the
        // copy spills other pages from SQLite's cache.
        FC_TRY(target.exec("PRAGMA user_version=0; CREATE TABLE rekey_start(x); DROP TABLE rekey_start"));
        FC_TRY(copy_pages(source, target, options));
    }
    FC_TRY(detail::fsync_file(files.rekey_copy));
    return detail::fsync_directory_of(files.rekey_copy);
}

}  // namespace

namespace detail {

Status finish_interrupted_rekey(const BookFiles& files, const PageCipher& current) {
    // A new key that never became book.key was never committed.
    for (const auto& path : {files.key_next, files.key_next + ".tmp", files.key + ".tmp"})
        FC_TRY(remove_durably(path));
    if (!file_exists(files.rekey_copy)) return ok_status();
    const bool committed = header_matches(files.rekey_copy, current) &&
                           !header_matches(files.database, current) &&
                           !file_exists(files.rekey_copy + "-journal");
    return committed ? install_copy(files) : discard_copy(files);
}

}  // namespace detail

Status rekey_book(const std::string& database_path, platform::KeyStore& keys,
                  const RekeyOptions& options) {
    const BookFiles files = BookFiles::of(database_path);
    FC_ASSIGN(detail::UnlockedKey current, detail::unlock_key(files, keys));
    FC_TRY(detail::finish_interrupted_rekey(files, current.vfs->cipher()));
    FC_TRY(detail::check_database(files.database, current.vfs->cipher()));
    if (!detail::file_exists(files.database)) return rekey_error("no book at " + database_path);

    const auto next_key = platform::SecretKey::random(platform::kDataKeyBytes);
    auto next_vfs = CipherVfs::create(next_key, current.file.book_id);
    detail::KeyFile next_file = current.file;
    FC_ASSIGN(next_file.wrapped, keys.wrap(next_key, next_file.book_id));
    int old_key_fd = -1;
    {
        // The write lock, held until the new key is committed: nobody changes
        // the book while it is copied, so the copy holds every committed write.
        FC_ASSIGN(auto guard, open_with(files.database, *current.vfs, false));
        FC_TRY(guard.exec("BEGIN IMMEDIATE"));
        {
            FC_ASSIGN(auto source, open_with(files.database, *current.vfs, false));
            FC_TRY(write_copy(files, source, *next_vfs, options));
        }
        FC_TRY(detail::write_key_file(files.key_next, next_file));
        old_key_fd = ::open(files.key.c_str(), O_WRONLY | O_CLOEXEC);
        const Status committed = detail::rename_durably(files.key_next, files.key);
        (void)guard.exec("ROLLBACK");
        if (!committed.ok()) {
            if (old_key_fd >= 0) ::close(old_key_fd);
            return committed;
        }
    }
    const Status installed = install_copy(files);
    // The old wrapped key would still open copies of the old pages: overwrite it.
    if (old_key_fd >= 0) detail::shred_descriptor(old_key_fd);
    return installed;
}

}  // namespace forecourt::crypto
