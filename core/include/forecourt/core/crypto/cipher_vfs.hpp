// The encrypting SQLite VFS: a shim over the OS VFS that seals every page of a
// book's database, WAL and rollback journal (see docs/ARCHITECTURE.md,
// "Encryption at rest"). One registration per unlocked book key.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "forecourt/core/crypto/page_cipher.hpp"
#include "forecourt/core/result.hpp"

struct sqlite3;

namespace forecourt::crypto {

class CipherVfs {
public:
    // Registers a VFS named "forecourt-aead-<n>" that encrypts with `data_key`
    // for book `book_id`; unregistered when the last shared_ptr goes, so keep
    // it alive as long as any connection opened through it.
    static std::shared_ptr<CipherVfs> create(const platform::SecretKey& data_key,
                                             const BookId& book_id);
    ~CipherVfs();
    CipherVfs(const CipherVfs&) = delete;
    CipherVfs& operator=(const CipherVfs&) = delete;

    const std::string& name() const { return name_; }
    const PageCipher& cipher() const { return cipher_; }

    struct Registration;  // the sqlite3_vfs, defined where the VFS is implemented

private:
    CipherVfs(const platform::SecretKey& data_key, const BookId& book_id);

    PageCipher cipher_;
    std::string name_;
    std::unique_ptr<Registration> registration_;
};

// What the encrypting VFS knows about the last failure on `db`'s main database
// (a page that failed authentication, a wrong key, a truncated file, a write it
// refused), taken once; nullopt for a connection that does not use it or when
// nothing failed there.
std::optional<Error> take_vfs_failure(sqlite3* db);

// How `db`'s main database read ahead (see docs/ARCHITECTURE.md): how often
// a scan asked for its next pages, how many pages a helper thread opened
// ahead, and how many of them the connection used; nullopt for a connection
// that does not use the encrypting VFS.
struct ReadAheadCounters {
    std::uint64_t plans = 0;
    std::uint64_t opened = 0;
    std::uint64_t taken = 0;
};
std::optional<ReadAheadCounters> read_ahead_counters(sqlite3* db);

// How `db`'s WAL was written: frames sealed, and the writes that took them to
// the file (a transaction's frames go down together); nullopt for a
// connection that does not use the encrypting VFS.
struct WalWriteCounters {
    std::uint64_t frames = 0;
    std::uint64_t writes = 0;
};
std::optional<WalWriteCounters> wal_write_counters(sqlite3* db);

// How a database file presents itself, from its first bytes only.
enum class FileFormat { missing, empty, plain, encrypted, unknown };
FileFormat inspect_database_file(const std::string& path);

}  // namespace forecourt::crypto
