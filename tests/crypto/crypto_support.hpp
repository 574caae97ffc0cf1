// Helpers for the encryption tests: passphrase key stores with test limits,
// sealed databases below the Book API, books full of marker strings, raw file
// scans and edits, and child processes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "forecourt/core/book.hpp"
#include "forecourt/core/crypto/book_vault.hpp"
#include "forecourt/core/crypto/cipher_vfs.hpp"
#include "forecourt/core/storage/database.hpp"
#include "forecourt/platform/clock.hpp"
#include "forecourt/platform/key_store.hpp"
#include "temp_dir.hpp"

namespace forecourt::testing {

inline constexpr char kPassphrase[] = "correct horse battery staple";

// A passphrase store with the minimum Argon2id limits, so tests stay fast.
platform::PassphraseKeyStore test_keys(const std::string& passphrase = kPassphrase);

BookOptions plain_options(const std::string& path, const platform::Clock& clock);
std::unique_ptr<Book> create_encrypted(const std::string& path, const platform::Clock& clock,
                                       platform::KeyStore& keys);
std::unique_ptr<Book> open_encrypted(const std::string& path, const platform::Clock& clock,
                                     platform::KeyStore& keys);

// Strings that must never appear in an encrypted book's files.
std::vector<std::string> markers();
// Registers prospects whose names, phones, notes and vehicles carry the markers.
void fill_with_markers(Book& book);
// Markers found in the raw bytes of every file in `dir` ("file: marker").
std::vector<std::string> find_markers(const std::string& dir);

std::vector<std::uint8_t> read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes);
// A digest of every file in a directory (names and contents).
std::string hash_dir(const std::string& dir);
void copy_file(const std::string& from, const std::string& to);

// Runs `body` in a forked child; returns the child's pid. The child exits 0
// when body returns, and never runs the parent's destructors.
int spawn(const std::function<void()>& body);
int wait_exit(int pid);  // exit status, or 128 + signal

// A database file below the Book API, sealed by an encrypting VFS of its own
// (a random key), in a temporary directory.
struct SealedDatabase {
    TempDir dir;
    std::shared_ptr<crypto::CipherVfs> vfs;
    SealedDatabase();
    // `cache_kib`: SQLite's page cache (0: its default).
    storage::OpenOptions options(bool wal = true, int cache_kib = 0) const;
    storage::Database open(bool wal = true, int cache_kib = 0) const;
};

// The first column of the first row `sql` returns (the test fails if none).
std::int64_t scalar(storage::Database& db, const std::string& sql);

// Adds `count` prospects with notes of `note_bytes` in one transaction per call.
std::vector<std::string> add_prospects(Book& book, int count, int note_bytes, const std::string& tag);

}  // namespace forecourt::testing
