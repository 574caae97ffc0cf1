// Key file encoding: a small JSON document; binary fields in hex; the checksum
// is BLAKE2b-128 over the other fields.
#include "key_file.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "file_ops.hpp"
#include "forecourt/platform/random.hpp"

namespace forecourt::crypto::detail {
namespace {

constexpr std::string_view kFormat = "forecourt-book-key";
constexpr int kVersion = 1;

std::string to_hex(const std::uint8_t* data, std::size_t size) {
    std::string hex(size * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), data, size);
    hex.pop_back();
    return hex;
}

bool from_hex(const std::string& hex, std::vector<std::uint8_t>& out) {
    out.assign(hex.size() / 2, 0);
    std::size_t got = 0;
    const char* end = nullptr;
    return hex.size() % 2 == 0 &&
           sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &got, &end) == 0 &&
           got == out.size() && end == hex.data() + hex.size();
}

std::string checksum(const std::string& book_id, const std::string& store, const std::string& wrapped) {
    platform::ensure_sodium();
    const std::string text = std::to_string(kVersion) + "|" + book_id + "|" + store + "|" + wrapped;
    std::uint8_t digest[16];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const std::uint8_t*>(text.data()),
                       text.size(), nullptr, 0);
    return to_hex(digest, sizeof digest);
}

Error damaged(const std::string& path, const std::string& why) {
    return make_error(ErrorCode::corrupt, "the key file " + path + " is damaged (" + why +
                                              "); restore it from a backup",
                      ErrorDomain::crypto);
}

}  // namespace

std::string encode_key_file(const KeyFile& file) {
    const std::string id = to_hex(file.book_id.data(), file.book_id.size());
    const std::string wrapped = to_hex(file.wrapped.data(), file.wrapped.size());
    nlohmann::json doc = {{"format", kFormat},        {"version", kVersion},
                          {"book_id", id},            {"key_store", file.key_store},
                          {"wrapped_key", wrapped},   {"checksum", checksum(id, file.key_store, wrapped)}};
    return doc.dump(2) + "\n";
}

Result<KeyFile> read_key_file(const std::string& path) {
    auto text = read_small_file(path);
    if (!text.ok()) {
        if (text.error().code == ErrorCode::not_found)
            return make_error(ErrorCode::not_found,
                              "no key file at " + path + ": the book cannot be unlocked without it",
                              ErrorDomain::crypto);
        return text.take_error();
    }
    const auto doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return damaged(path, "not a key file");
    auto field = [&](const char* name) {
        auto it = doc.find(name);
        return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (field("format") != kFormat) return damaged(path, "not a Forecourt key file");
    if (!doc.contains("version") || doc["version"] != kVersion)
        return damaged(path, "unknown key file version");
    const std::string id = field("book_id"), store = field("key_store"), wrapped = field("wrapped_key");
    if (field("checksum") != checksum(id, store, wrapped)) return damaged(path, "checksum mismatch");
    KeyFile file;
    std::vector<std::uint8_t> id_bytes;
    if (!from_hex(id, id_bytes) || id_bytes.size() != file.book_id.size())
        return damaged(path, "bad book id");
    std::copy(id_bytes.begin(), id_bytes.end(), file.book_id.begin());
    if (store.empty() || !from_hex(wrapped, file.wrapped) || file.wrapped.empty())
        return damaged(path, "bad wrapped key");
    file.key_store = store;
    return file;
}

Status write_key_file(const std::string& path, const KeyFile& file) {
    return replace_file_durably(path, encode_key_file(file));
}

}  // namespace forecourt::crypto::detail
