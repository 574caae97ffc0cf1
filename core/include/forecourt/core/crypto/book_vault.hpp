// Encrypted books: the operations around the encrypting VFS. A book DIR/book.db
// has its data key, wrapped by a platform::KeyStore, in DIR/book.key. Every
// function here works on closed books unless it returns an open one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "forecourt/core/book.hpp"
#include "forecourt/core/result.hpp"
#include "forecourt/platform/key_store.hpp"

namespace forecourt::crypto {

// The files that make up one book, and those an interrupted rekey leaves.
struct BookFiles {
    std::string database, wal, shm, journal;
    std::string key;         // the wrapped data key: book.db -> book.key
    std::string key_next;    // the new key while a rekey has not committed
    std::string rekey_copy;  // the database re-encrypted under the new key
    static BookFiles of(const std::string& database_path);
    std::vector<std::string> all() const;
};

// Creates the key file for a new book (random data key and book id) and returns
// options for Book::create. Fails if a book or key file already exists there.
Result<BookOptions> prepare_encrypted_book(BookOptions options, platform::KeyStore& keys);
// Unwraps the book's key and returns options for Book::open; first completes
// or rolls back a rekey that was interrupted, and checks that the database
// belongs to this key (wrong_key, invalid_state for a plain book, corrupt).
Result<BookOptions> unlock_book(BookOptions options, platform::KeyStore& keys);

Result<std::unique_ptr<Book>> create_encrypted_book(const BookOptions& options,
                                                    platform::KeyStore& keys, const NewBook& who);
Result<std::unique_ptr<Book>> open_encrypted_book(const BookOptions& options,
                                                  platform::KeyStore& keys);

// Re-wraps the same data key under `next` (a new passphrase, or another key
// store): instant, and atomic (write-temp, fsync, rename).
Status change_passphrase(const std::string& database_path, platform::KeyStore& current,
                         platform::KeyStore& next);

struct RekeyOptions {
    int pages_per_step = 256;  // pages copied per backup step
    // Called after each step with the pages re-encrypted so far and the total,
    // for a progress display; the last call has done == total.
    std::function<void(int done, int total)> progress;
};
// Replaces the data key: every page is re-encrypted under a new random key,
// wrapped by the same key store. Killed at any instant, the book afterwards
// opens (with the same passphrase) under the old key or the new one, whole.
Status rekey_book(const std::string& database_path, platform::KeyStore& keys,
                  const RekeyOptions& options = {});

// Crypto-shredding: overwrites and removes the key file first (fsynced), then
// deletes the database, WAL, shared-memory and journal files. Needs no key.
Status wipe_book(const std::string& database_path);

struct VerifyReport {
    std::int64_t database_pages = 0;    // pages of the database file that authenticated
    std::int64_t wal_frames = 0;        // WAL frames that authenticated
    std::vector<std::string> problems;  // one line each: which file, which page, what
    bool ok() const { return problems.empty(); }
};
// Checks every page's tag in the database and the WAL, then runs SQLite's
// integrity_check. Errors only when it cannot start (no key file, wrong key).
Result<VerifyReport> verify_book(const std::string& database_path, platform::KeyStore& keys);

// True when the book at this path is encrypted (its key file or header says so).
bool is_encrypted_book(const std::string& database_path);

}  // namespace forecourt::crypto
