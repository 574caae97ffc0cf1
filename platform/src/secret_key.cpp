// SecretKey over libsodium's guarded allocator.
#include "forecourt/platform/secret_key.hpp"

#include <sodium.h>

#include <cstring>
#include <new>
#include <utility>

#include "forecourt/platform/random.hpp"

namespace forecourt::platform {

SecretKey::SecretKey(std::size_t size) {
    ensure_sodium();
    if (size == 0) return;
    data_ = static_cast<std::uint8_t*>(sodium_malloc(size));
    if (!data_) throw std::bad_alloc();
    sodium_memzero(data_, size);
    size_ = size;
}

SecretKey SecretKey::random(std::size_t size) {
    SecretKey key(size);
    if (size > 0) randombytes_buf(key.data_, size);
    return key;
}

SecretKey SecretKey::copy_of(std::span<const std::uint8_t> bytes) {
    SecretKey key(bytes.size());
    if (!bytes.empty()) std::memcpy(key.data_, bytes.data(), bytes.size());
    return key;
}

SecretKey::~SecretKey() { release(); }

SecretKey::SecretKey(SecretKey&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

void SecretKey::release() {
    // sodium_free zeroes the pages before giving them back.
    if (data_) sodium_free(data_);
    data_ = nullptr;
    size_ = 0;
}

bool same_secret(const SecretKey& a, const SecretKey& b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace forecourt::platform
