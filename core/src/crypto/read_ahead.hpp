// Internal to the encrypting VFS: opening a scan's next pages ahead, on a
// second thread.
//
// Reading a page of an encrypted book costs its read plus about 4 µs of
// authentication and decryption; a full scan on one core pays both in turn.
// A b-tree scan reads the children of an interior page in order, so when
// SQLite reads two consecutive children of an interior page it has read, a
// helper thread reads and opens the next ones, and they are ready (or being
// opened) when SQLite asks for them. Point lookups read one child per level
// and start nothing.
//
// A page opened ahead is used only if the file's lock state has not changed
// since before it was read: every xLock, xUnlock, xShmLock, write or truncate
// of the file starts a new epoch, and the helper tags each page with the
// epoch it saw before reading it. Between two such calls the connection is in
// one read (or write) transaction, during which SQLite guarantees that the
// pages it reads from the database file do not change (a checkpoint only
// copies frames older than every reader's snapshot; in rollback mode no one
// writes while a shared lock is held). Which pages to open is only a guess
// (from interior pages read earlier, perhaps in another epoch): a wrong guess
// costs the helper's time, never a wrong page. A page that fails to open ahead
// is read again in the caller's thread, which reports the failure as before.
// The helper never records failures and never writes; it is stopped before
// the file closes (not in a forked child, which has no such thread).
#pragma once

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "forecourt/core/crypto/cipher_vfs.hpp"

namespace forecourt::crypto::detail {

class ReadAhead {
public:
    ReadAhead(sqlite3_file* real, const PageCipher& cipher, int page_size);
    ~ReadAhead();
    ReadAhead(const ReadAhead&) = delete;
    ReadAhead& operator=(const ReadAhead&) = delete;

    // The file's lock state changed, or the file was written: pages opened
    // so far may no longer be what the connection would read.
    void new_epoch() { epoch_.fetch_add(1, std::memory_order_acq_rel); }

    // Copies page `pgno` into `out` if it was opened ahead in this epoch
    // (waiting briefly for one being opened); false if the caller must read it.
    bool take(std::uint32_t pgno, std::uint8_t* out);
    // The caller read page `pgno` (opened, `page_size` bytes): learns an
    // interior page's children, and asks for the next ones during a scan.
    void saw(std::uint32_t pgno, const std::uint8_t* page);

    ReadAheadCounters counters() const;

private:
    static constexpr int kSlots = 32;
    static constexpr int kParents = 8;

    // An interior page read lately: its children in key order, and the
    // position of the last one the caller read.
    struct Parent {
        std::uint32_t pgno = 0;
        std::vector<std::uint32_t> children;
        int last = -1;
    };

    enum SlotState : std::uint64_t { empty, busy, ready, taking };
    struct Slot {
        std::atomic<std::uint64_t> word{empty};  // sequence number << 2 | state
        std::atomic<std::uint32_t> pgno{0};
        std::atomic<std::uint64_t> epoch{0};
    };

    std::uint8_t* page_of(int slot) { return buffer_.data() + static_cast<std::size_t>(slot) * page_size_; }
    void learn_children(std::uint32_t pgno, const std::uint8_t* page);
    void request(const Parent& parent);
    void run();
    int slot_for(std::uint32_t pgno, std::span<const std::uint32_t> wanted) const;
    // Opens the first of `rest`, the plan's pages not yet tried.
    void open_ahead(std::span<const std::uint32_t> rest);

    sqlite3_file* real_;
    const PageCipher& cipher_;
    const int page_size_;
    std::vector<std::uint8_t> buffer_;
    std::array<Slot, kSlots> slots_;

    std::atomic<std::uint64_t> epoch_{1};
    // The pages to open ahead, in order; the helper copies them when the
    // version changes.
    std::array<std::uint32_t, kSlots> plan_{};
    int plan_size_ = 0;  // under mutex_
    std::atomic<std::uint64_t> plan_version_{0};
    std::atomic<bool> stop_{false};
    std::atomic<bool> sleeping_{false};
    std::atomic<std::uint32_t> caller_page_{0};  // a page the caller is opening itself
    std::atomic<std::uint64_t> plans_{0}, opened_{0}, taken_{0};
    std::mutex mutex_;
    std::condition_variable wake_;

    // The caller's side (one thread at a time: SQLite serialises a file's calls).
    std::array<Parent, kParents> parents_{};
    int next_parent_ = 0;  // the slot the next interior page read replaces
    int current_ = -1;     // the parent whose children the caller reads in order
    std::uint32_t after_next_ = 0;  // during a scan, the page after the one it reads next

    const int owner_pid_;
    std::unique_ptr<std::thread> helper_;
};

}  // namespace forecourt::crypto::detail
