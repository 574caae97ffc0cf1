#include "forecourt/core/crypto/nonce_pool.hpp"

#include <sodium.h>
#include <sys/mman.h>

#include <cstring>
#include <mutex>

#include "forecourt/core/crypto/page_cipher.hpp"
#include "forecourt/platform/random.hpp"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18  // Linux 4.14
#endif

namespace forecourt::crypto {
namespace {

constexpr std::size_t kBlockPage = 4096;
constexpr std::size_t kNoncesPerBlock = (kBlockPage - 64) / kNonceBytes;

// One page: how many nonces are left, then the nonces. Wiped on fork, a page
// reads as zeros in the child: no nonces left, so the child draws its own.
struct Block {
    std::size_t left;
    std::uint8_t nonces[kNoncesPerBlock * kNonceBytes];
};
static_assert(sizeof(Block) <= kBlockPage);

class NoncePool {
public:
    static NoncePool& instance() {
        static NoncePool pool;
        return pool;
    }

    bool buffered() const { return block_ != nullptr; }

    void draw(std::uint8_t* out) {
        if (!block_) {
            platform::random_bytes(out, kNonceBytes);
            return;
        }
        std::lock_guard lock(mutex_);
        if (block_->left == 0) {
            platform::random_bytes(block_->nonces, sizeof block_->nonces);
            block_->left = kNoncesPerBlock;
        }
        std::uint8_t* nonce = block_->nonces + (--block_->left) * kNonceBytes;
        std::memcpy(out, nonce, kNonceBytes);
        sodium_memzero(nonce, kNonceBytes);  // handed out once: nothing left to hand out again
    }

private:
    NoncePool() {
        platform::ensure_sodium();
        void* page = ::mmap(nullptr, kBlockPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED) return;
        if (::madvise(page, kBlockPage, MADV_WIPEONFORK) != 0) {
            ::munmap(page, kBlockPage);
            return;
        }
        block_ = static_cast<Block*>(page);  // zero-filled: no nonces yet
    }

    std::mutex mutex_;
    Block* block_ = nullptr;  // never unmapped: the pool lives as long as the process
};

}  // namespace

void draw_nonce(std::uint8_t* out) { NoncePool::instance().draw(out); }

bool nonce_pool_is_buffered() { return NoncePool::instance().buffered(); }

}  // namespace forecourt::crypto
