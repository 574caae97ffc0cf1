// Internal to the vault: an unlocked book key, and the checks shared by open,
// rekey and verify.
#pragma once

#include <memory>

#include "forecourt/core/crypto/book_vault.hpp"
#include "forecourt/core/crypto/cipher_vfs.hpp"
#include "key_file.hpp"

namespace forecourt::crypto::detail {

struct UnlockedKey {
    KeyFile file;
    platform::SecretKey data_key;
    std::shared_ptr<CipherVfs> vfs;
};

// Reads the key file and unwraps its data key with `keys`.
Result<UnlockedKey> unlock_key(const BookFiles& files, platform::KeyStore& keys);
// True when the database file at `path` carries this book's id and this key's check.
bool header_matches(const std::string& path, const PageCipher& cipher);
// The database file as it must be for this key: not plain, same book, same key, whole pages.
Status check_database(const std::string& path, const PageCipher& cipher);
// Completes a rekey that committed (the key file holds the new key) or discards one that did not.
Status finish_interrupted_rekey(const BookFiles& files, const PageCipher& current);
BookOptions with_cipher_vfs(BookOptions options, std::shared_ptr<CipherVfs> vfs);

}  // namespace forecourt::crypto::detail
