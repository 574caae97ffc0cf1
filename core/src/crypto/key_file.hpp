// The key file beside an encrypted book (book.key): the book's id, which kind
// of key store sealed the data key, and the wrapped key, with a checksum that
// tells a damaged file apart from a wrong passphrase.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "forecourt/core/crypto/page_cipher.hpp"
#include "forecourt/core/result.hpp"

namespace forecourt::crypto::detail {

struct KeyFile {
    BookId book_id{};
    std::string key_store;              // KeyStore::kind() of the store that wrapped the key
    std::vector<std::uint8_t> wrapped;  // opaque to everyone but that store
};

// not_found when there is no file; corrupt when it is not a valid key file.
Result<KeyFile> read_key_file(const std::string& path);
std::string encode_key_file(const KeyFile& file);
Status write_key_file(const std::string& path, const KeyFile& file);

}  // namespace forecourt::crypto::detail
