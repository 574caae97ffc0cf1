// Key material in locked memory: a SecretKey lives in sodium_malloc'd pages
// (guarded, excluded from swap and core dumps) and is zeroed when it is freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace forecourt::platform {

class SecretKey {
public:
    SecretKey() = default;
    // `size` zero bytes in locked memory.
    explicit SecretKey(std::size_t size);
    // `size` bytes from the operating system's secure random source.
    static SecretKey random(std::size_t size);
    // A locked copy of `bytes` (the caller zeroes its own copy).
    static SecretKey copy_of(std::span<const std::uint8_t> bytes);
    ~SecretKey();

    SecretKey(SecretKey&& other) noexcept;
    SecretKey& operator=(SecretKey&& other) noexcept;
    SecretKey(const SecretKey&) = delete;
    SecretKey& operator=(const SecretKey&) = delete;

    std::uint8_t* data() { return data_; }
    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    std::span<const std::uint8_t> bytes() const { return {data_, size_}; }

private:
    void release();

    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

// Constant-time equality of two secrets (false when the sizes differ).
bool same_secret(const SecretKey& a, const SecretKey& b);

}  // namespace forecourt::platform
