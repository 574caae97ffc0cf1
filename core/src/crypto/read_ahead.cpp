// Pages of a forward scan opened ahead on a helper thread; see read_ahead.hpp.
#include "read_ahead.hpp"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <span>

#include "forecourt/core/crypto/page_cipher.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FC_CPU_RELAX() _mm_pause()
#else
#define FC_CPU_RELAX() std::this_thread::yield()
#endif

namespace forecourt::crypto::detail {
namespace {

// A slot's word: a sequence number (bumped whenever the helper claims the
// slot) above the slot's state, so a slot recycled and filled again between
// the caller's look and its claim cannot be mistaken for the one it saw.
constexpr std::uint64_t kStateMask = 3;
constexpr std::uint64_t state_of(std::uint64_t word) { return word & kStateMask; }
constexpr std::uint64_t with_state(std::uint64_t word, std::uint64_t state) {
    return (word & ~kStateMask) | state;
}

// How long the caller waits for a page being opened (about 4 µs of work)
// and how long the helper looks for more work before it sleeps.
constexpr int kTakeSpins = 20'000;
constexpr int kIdleSpins = 2'000;

}  // namespace

ReadAhead::ReadAhead(sqlite3_file* real, const PageCipher& cipher, int page_size)
    : real_(real),
      cipher_(cipher),
      page_size_(page_size),
      buffer_(static_cast<std::size_t>(page_size) * kSlots),
      owner_pid_(static_cast<int>(::getpid())) {}

ReadAhead::~ReadAhead() {
    if (helper_) {
        if (static_cast<int>(::getpid()) != owner_pid_) {
            // A forked child: the helper thread exists only in the parent.
            (void)helper_.release();
        } else {
            {
                std::lock_guard lock(mutex_);
                stop_.store(true);
            }
            wake_.notify_one();
            helper_->join();
        }
    }
    sodium_memzero(buffer_.data(), buffer_.size());
}

ReadAheadCounters ReadAhead::counters() const {
    return {plans_.load(std::memory_order_relaxed), opened_.load(std::memory_order_relaxed),
            taken_.load(std::memory_order_relaxed)};
}

bool ReadAhead::take(std::uint32_t pgno, std::uint8_t* out) {
    if (!helper_) return false;
    for (int spins = 0;; ++spins) {
        bool opening = false;
        for (int index = 0; index < kSlots; ++index) {
            Slot& slot = slots_[static_cast<std::size_t>(index)];
            if (slot.pgno.load(std::memory_order_relaxed) != pgno) continue;
            std::uint64_t word = slot.word.load(std::memory_order_acquire);
            // The page number again, after the word: the one its state is about.
            if (slot.pgno.load(std::memory_order_relaxed) != pgno) continue;
            const auto state = state_of(word);
            opening = opening || state == busy;
            if (state == ready &&
                slot.epoch.load(std::memory_order_relaxed) == epoch_.load(std::memory_order_acquire) &&
                slot.word.compare_exchange_strong(word, with_state(word, taking), std::memory_order_acq_rel)) {
                std::memcpy(out, page_of(index), static_cast<std::size_t>(page_size_));
                slot.word.store(with_state(word, empty), std::memory_order_release);
                taken_.fetch_add(1, std::memory_order_relaxed);
                return true;
            }
        }
        if (!opening) {
            // Not there, nor being opened: the caller opens it itself, and
            // the helper, meanwhile, the page after it.
            caller_page_.store(pgno, std::memory_order_relaxed);
            return false;
        }
        // Being opened: the helper is behind the scan. The page after this
        // one is left to the caller, so that the two open pages in turn.
        if (spins == 0 && after_next_ != 0) caller_page_.store(after_next_, std::memory_order_relaxed);
        if (spins >= kTakeSpins) return false;
        FC_CPU_RELAX();
    }
}

void ReadAhead::saw(std::uint32_t pgno, const std::uint8_t* page) {
    // Did the caller read the child after the last one it read of a parent?
    auto next_child = [&](int i) {
        Parent& p = parents_[static_cast<std::size_t>(i)];
        const auto n = static_cast<std::size_t>(p.last + 1);
        if (p.pgno == 0 || n >= p.children.size() || p.children[n] != pgno) return false;
        p.last = static_cast<int>(n);
        return true;
    };
    bool scanning = current_ >= 0 && next_child(current_);
    for (int k = 0; !scanning && k < kParents; ++k) {
        const int i = (next_parent_ + kParents - 1 - k) % kParents;  // newest first
        if (next_child(i)) {
            current_ = i;
            scanning = true;
        }
    }
    after_next_ = 0;
    if (scanning) {
        const Parent& parent = parents_[static_cast<std::size_t>(current_)];
        if (const auto at = static_cast<std::size_t>(parent.last + 2); at < parent.children.size())
            after_next_ = parent.children[at];
        request(parent);
    } else {
        // Where is it among the newest parent's children? A scan goes on from there.
        const int newest = (next_parent_ + kParents - 1) % kParents;
        auto& children = parents_[static_cast<std::size_t>(newest)].children;
        if (auto at = std::find(children.begin(), children.end(), pgno); at != children.end()) {
            parents_[static_cast<std::size_t>(newest)].last = static_cast<int>(at - children.begin());
            current_ = newest;
        }
    }
    learn_children(pgno, page);
}

void ReadAhead::learn_children(std::uint32_t pgno, const std::uint8_t* page) {
    // A b-tree page's header: type (2: interior index, 5: interior table),
    // the cell count at 3, the right-most child at 8, cell offsets from 12;
    // an interior cell starts with its left child.
    const std::uint8_t type = page[0];
    if (type != 2 && type != 5) return;
    auto be16 = [&](int at) { return static_cast<int>(page[at] << 8 | page[at + 1]); };
    auto be32 = [&](int at) {
        return static_cast<std::uint32_t>(page[at]) << 24 | static_cast<std::uint32_t>(page[at + 1]) << 16 |
               static_cast<std::uint32_t>(page[at + 2]) << 8 | static_cast<std::uint32_t>(page[at + 3]);
    };
    const int cells = be16(3);
    if (12 + 2 * cells > page_size_) return;
    const int slot = next_parent_;
    next_parent_ = (next_parent_ + 1) % kParents;
    if (current_ == slot) current_ = -1;
    Parent& parent = parents_[static_cast<std::size_t>(slot)];
    parent.pgno = pgno;
    parent.last = -1;
    parent.children.clear();
    for (int i = 0; i < cells; ++i) {
        const int at = be16(12 + 2 * i);
        if (at + 4 > page_size_) break;
        parent.children.push_back(be32(at));
    }
    parent.children.push_back(be32(8));
}

void ReadAhead::request(const Parent& parent) {
    {
        std::lock_guard lock(mutex_);
        const auto from = static_cast<std::size_t>(parent.last + 1);
        plan_size_ = 0;
        for (std::size_t i = from; i < parent.children.size() && plan_size_ < kSlots - 1; ++i)
            plan_[static_cast<std::size_t>(plan_size_++)] = parent.children[i];
        plan_version_.fetch_add(1);
    }
    plans_.fetch_add(1, std::memory_order_relaxed);
    if (!helper_) {
        helper_ = std::make_unique<std::thread>([this] { run(); });
    } else if (sleeping_.load()) {
        std::lock_guard lock(mutex_);
        wake_.notify_one();
    }
}

void ReadAhead::run() {
    std::array<std::uint32_t, kSlots> plan{};
    int size = 0, at = 0, idle = 0;
    std::uint64_t seen = 0;
    while (!stop_.load(std::memory_order_relaxed)) {
        if (plan_version_.load() != seen) {
            std::lock_guard lock(mutex_);
            plan = plan_;
            size = plan_size_;
            seen = plan_version_.load();
            at = 0;
        }
        if (at < size) {
            open_ahead({plan.data() + at, static_cast<std::size_t>(size - at)});
            ++at;
            idle = 0;
            continue;
        }
        if (++idle < kIdleSpins) {
            FC_CPU_RELAX();
            continue;
        }
        std::unique_lock lock(mutex_);
        sleeping_.store(true);
        wake_.wait(lock, [&] { return stop_.load() || plan_version_.load() != seen; });
        sleeping_.store(false);
        idle = 0;
    }
}

// A slot for `pgno`, or -1: an empty slot, else one holding a page the plan
// no longer wants (left from another plan or epoch); never one the caller may
// still take. -1 as well when the page is there already, being opened, or
// being read by the caller itself.
int ReadAhead::slot_for(std::uint32_t pgno, std::span<const std::uint32_t> wanted) const {
    if (pgno == caller_page_.load(std::memory_order_relaxed)) return -1;
    const std::uint64_t epoch = epoch_.load(std::memory_order_acquire);
    int free = -1, stale = -1;
    for (int index = 0; index < kSlots; ++index) {
        const Slot& slot = slots_[static_cast<std::size_t>(index)];
        const auto state = state_of(slot.word.load(std::memory_order_acquire));
        const std::uint32_t held = slot.pgno.load(std::memory_order_relaxed);
        const bool current = slot.epoch.load(std::memory_order_relaxed) == epoch;
        if (held == pgno && (state == busy || state == taking || (state == ready && current))) return -1;
        if (state == empty) {
            if (free < 0) free = index;
        } else if (state == ready && stale < 0 &&
                   (!current || std::find(wanted.begin(), wanted.end(), held) == wanted.end())) {
            stale = index;
        }
    }
    return free >= 0 ? free : stale;
}

void ReadAhead::open_ahead(std::span<const std::uint32_t> rest) {
    const std::uint32_t pgno = rest.front();
    if (pgno < 2) return;  // page 1 has its own checks, in the caller's thread
    const int index = slot_for(pgno, rest);
    if (index < 0) return;
    Slot& slot = slots_[static_cast<std::size_t>(index)];
    std::uint64_t word = slot.word.load(std::memory_order_acquire);
    const auto state = state_of(word);
    if (state != empty && state != ready) return;  // taken meanwhile
    // Claim the slot under a new sequence number.
    const std::uint64_t claimed = ((word & ~kStateMask) + (kStateMask + 1)) | busy;
    if (!slot.word.compare_exchange_strong(word, claimed, std::memory_order_acq_rel)) return;
    // The epoch is read before the page: a page read after the lock state
    // changed carries the new epoch or an older one, never a newer one.
    slot.epoch.store(epoch_.load(std::memory_order_acquire), std::memory_order_relaxed);
    slot.pgno.store(pgno, std::memory_order_relaxed);
    std::uint8_t* page = page_of(index);
    const sqlite3_int64 offset = sqlite3_int64{pgno - 1} * page_size_;
    bool opened = real_->pMethods->xRead(real_, page, page_size_, offset) == SQLITE_OK &&
                  cipher_.open(std::span(page, static_cast<std::size_t>(page_size_)), 0,
                               PagePlace{PageHome::database, pgno});
    if (opened) opened_.fetch_add(1, std::memory_order_relaxed);
    slot.word.store(with_state(claimed, opened ? ready : empty), std::memory_order_release);
}

}  // namespace forecourt::crypto::detail
