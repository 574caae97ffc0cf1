// Creating, unlocking, re-wrapping and wiping encrypted books.
#include "forecourt/core/crypto/book_vault.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "cipher_file.hpp"
#include "file_ops.hpp"
#include "forecourt/platform/random.hpp"
#include "vault_internal.hpp"

namespace forecourt::crypto {

using detail::file_exists;

namespace {

Error vault_error(ErrorCode code, std::string message) {
    return make_error(code, std::move(message), ErrorDomain::crypto);
}

std::string key_path_for(const std::string& database_path) {
    std::filesystem::path p(database_path);
    if (p.extension() == ".db") return p.replace_extension(".key").string();
    return database_path + ".key";
}

void remove_quietly(const std::string& path) { (void)detail::remove_durably(path); }

}  // namespace

BookFiles BookFiles::of(const std::string& database_path) {
    BookFiles f;
    f.database = database_path;
    f.wal = database_path + "-wal";
    f.shm = database_path + "-shm";
    f.journal = database_path + "-journal";
    f.key = key_path_for(database_path);
    f.key_next = f.key + ".next";
    f.rekey_copy = database_path + ".rekey";
    return f;
}

std::vector<std::string> BookFiles::all() const {
    return {database, wal, shm, journal, key, key_next, rekey_copy};
}

namespace detail {

Result<UnlockedKey> unlock_key(const BookFiles& files, platform::KeyStore& keys) {
    FC_ASSIGN(KeyFile file, read_key_file(files.key));
    if (file.key_store != keys.kind())
        return vault_error(ErrorCode::wrong_key, "this book's key is sealed by the '" + file.key_store +
                                                     "' key store, not by a '" + keys.kind() + "' one");
    FC_ASSIGN(platform::SecretKey data_key, keys.unwrap(file.wrapped, file.book_id));
    auto vfs = CipherVfs::create(data_key, file.book_id);
    return UnlockedKey{std::move(file), std::move(data_key), std::move(vfs)};
}

bool header_matches(const std::string& path, const PageCipher& cipher) {
    std::ifstream in(path, std::ios::binary);
    std::uint8_t header[16] = {};
    if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return false;
    return std::memcmp(header, cipher.book_id().data(), 8) == 0 &&
           std::memcmp(header + 8, cipher.key_check().data(), 8) == 0;
}

Status check_database(const std::string& path, const PageCipher& cipher) {
    const FileFormat format = inspect_database_file(path);
    if (format == FileFormat::missing || format == FileFormat::empty) return ok_status();
    if (format == FileFormat::plain)
        return vault_error(ErrorCode::invalid_state,
                           path + " is not encrypted (a plain SQLite book): open it without a key");
    if (format == FileFormat::unknown)
        return vault_error(ErrorCode::corrupt, path + " is not a Forecourt book (unrecognised header)");
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    const auto size = static_cast<std::int64_t>(in.tellg());
    in.seekg(0);
    std::uint8_t header[24] = {};
    in.read(reinterpret_cast<char*>(header), sizeof header);
    if (std::memcmp(header, cipher.book_id().data(), 8) != 0)
        return vault_error(ErrorCode::wrong_key, "the key file belongs to another book than " + path);
    if (std::memcmp(header + 8, cipher.key_check().data(), 8) != 0)
        return vault_error(ErrorCode::wrong_key,
                           "the key does not open " + path +
                               ": the key file was replaced or is older than the book's last rekey");
    const int page_size = page_size_from_header(header + 16);
    if (size % page_size != 0)
        return vault_error(ErrorCode::corrupt,
                           path + " is truncated: its size " + std::to_string(size) +
                               " is not a whole number of " + std::to_string(page_size) + "-byte pages");
    return ok_status();
}

BookOptions with_cipher_vfs(BookOptions options, std::shared_ptr<CipherVfs> vfs) {
    options.vfs = vfs->name();
    options.reserve_bytes = kPageReserve;
    options.vfs_session = std::move(vfs);
    return options;
}

}  // namespace detail

Result<BookOptions> prepare_encrypted_book(BookOptions options, platform::KeyStore& keys) {
    const BookFiles files = BookFiles::of(options.path);
    if (file_exists(files.database))
        return vault_error(ErrorCode::already_exists,
                           "a book already exists at " + files.database + "; open it instead");
    if (file_exists(files.key))
        return vault_error(ErrorCode::already_exists,
                           "a key file already exists at " + files.key + "; wipe the old book first");
    detail::KeyFile file;
    platform::random_bytes(file.book_id.data(), file.book_id.size());
    const auto data_key = platform::SecretKey::random(platform::kDataKeyBytes);
    FC_ASSIGN(file.wrapped, keys.wrap(data_key, file.book_id));
    file.key_store = keys.kind();
    FC_TRY(detail::write_key_file(files.key, file));
    return detail::with_cipher_vfs(std::move(options), CipherVfs::create(data_key, file.book_id));
}

Result<BookOptions> unlock_book(BookOptions options, platform::KeyStore& keys) {
    const BookFiles files = BookFiles::of(options.path);
    if (!file_exists(files.key)) {
        if (!file_exists(files.database))
            return vault_error(ErrorCode::not_found, "no book at " + files.database +
                                                         "; create one first (tablet init)");
        if (inspect_database_file(files.database) == FileFormat::plain)
            return vault_error(ErrorCode::invalid_state, files.database +
                                                             " is not encrypted (a plain SQLite book): open it without a key");
    }
    FC_ASSIGN(detail::UnlockedKey unlocked, detail::unlock_key(files, keys));
    FC_TRY(detail::finish_interrupted_rekey(files, unlocked.vfs->cipher()));
    FC_TRY(detail::check_database(files.database, unlocked.vfs->cipher()));
    return detail::with_cipher_vfs(std::move(options), std::move(unlocked.vfs));
}

Result<std::unique_ptr<Book>> create_encrypted_book(const BookOptions& options,
                                                    platform::KeyStore& keys, const NewBook& who) {
    FC_ASSIGN(BookOptions prepared, prepare_encrypted_book(options, keys));
    auto book = Book::create(prepared, who);
    if (!book.ok()) {
        // Nothing of a book that was never created is left behind to block a retry.
        for (const auto& path : BookFiles::of(options.path).all()) remove_quietly(path);
    }
    return book;
}

Result<std::unique_ptr<Book>> open_encrypted_book(const BookOptions& options,
                                                  platform::KeyStore& keys) {
    FC_ASSIGN(BookOptions unlocked, unlock_book(options, keys));
    return Book::open(unlocked);
}

Status change_passphrase(const std::string& database_path, platform::KeyStore& current,
                         platform::KeyStore& next) {
    const BookFiles files = BookFiles::of(database_path);
    FC_ASSIGN(detail::UnlockedKey unlocked, detail::unlock_key(files, current));
    FC_TRY(detail::finish_interrupted_rekey(files, unlocked.vfs->cipher()));
    detail::KeyFile file = unlocked.file;
    FC_ASSIGN(file.wrapped, next.wrap(unlocked.data_key, file.book_id));
    file.key_store = next.kind();
    const int old_fd = ::open(files.key.c_str(), O_WRONLY | O_CLOEXEC);
    const Status written = detail::write_key_file(files.key, file);
    // The old wrapping would still open with the old passphrase: overwrite it.
    if (old_fd >= 0) {
        if (written.ok()) detail::shred_descriptor(old_fd);
        else ::close(old_fd);
    }
    return written;
}

Status wipe_book(const std::string& database_path) {
    const BookFiles files = BookFiles::of(database_path);
    // The key first: once it is gone, what remains of the pages is unreadable.
    for (const auto& key : {files.key, files.key_next, files.key + ".tmp", files.key_next + ".tmp"})
        FC_TRY(detail::shred_file(key));
    for (const auto& path : {files.database, files.wal, files.shm, files.journal, files.rekey_copy,
                             files.rekey_copy + "-journal", files.rekey_copy + "-wal"})
        FC_TRY(detail::remove_durably(path));
    return ok_status();
}

bool is_encrypted_book(const std::string& database_path) {
    return file_exists(BookFiles::of(database_path).key) ||
           inspect_database_file(database_path) == FileFormat::encrypted;
}

}  // namespace forecourt::crypto
