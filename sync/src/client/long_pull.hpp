// Internal to the sync client: what a long pull changes for the length of a
// sync() — the book's checkpoint interval, and pages sharing transactions —
// each put back however the sync ends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "forecourt/core/storage/database.hpp"
#include "forecourt/core/storage/transaction.hpp"
#include "forecourt/sync/client/sync_client.hpp"

namespace forecourt::sync::detail {

// The book's WAL checkpoint interval raised for a long pull. Each page is a
// transaction that rewrites many of the same index pages; checkpointing
// every 1,000 WAL pages copied each of those into the book again and again
// (pulling 55,339 changes: 1.25 s -> 1.04 s; 275,722 changes: 7.7 s -> 6.4 s).
// The interval is put back and the WAL checkpointed when the sync ends, so
// the copying is done (and paid) within it, not by the next local write.
class LongPullCheckpoints {
  public:
    LongPullCheckpoints(storage::Database& db, int pages) : db_(&db), pages_(pages) {}
    LongPullCheckpoints(const LongPullCheckpoints&) = delete;
    LongPullCheckpoints& operator=(const LongPullCheckpoints&) = delete;
    // Housekeeping when the sync ends, however it ends: what it applied is
    // committed already, so a failure here does not fail it (the WAL is then
    // left to SQLite's next checkpoint).
    ~LongPullCheckpoints() {
        if (previous_ && db_->exec("PRAGMA wal_autocheckpoint=" + std::to_string(*previous_)).ok())
            (void)db_->exec("PRAGMA wal_checkpoint(PASSIVE)");
    }

    // After a round: a page with more to follow raises the interval.
    void after(const RoundResult& result) {
        if (previous_ || pages_ <= 0 || result.pulled == 0 || !result.more) return;
        auto current = storage::query_int64(*db_, "PRAGMA wal_autocheckpoint");
        if (!current.ok() || *current >= pages_) return;
        if (db_->exec("PRAGMA wal_autocheckpoint=" + std::to_string(pages_)).ok())
            previous_ = *current;
    }

  private:
    storage::Database* db_;
    int pages_;
    std::optional<std::int64_t> previous_;
};

// Lets a long pull's pages share transactions for the length of a sync().
// Every way out of the rounds commits what they applied first; were one to
// miss it, the pages would be rolled back here, never left holding the
// book's write lock.
class GroupedPulls {
  public:
    GroupedPulls(bool& group, std::optional<storage::Transaction>& tx) : group_(&group), tx_(&tx) {
        *group_ = true;
    }
    GroupedPulls(const GroupedPulls&) = delete;
    GroupedPulls& operator=(const GroupedPulls&) = delete;
    ~GroupedPulls() {
        *group_ = false;
        tx_->reset();
    }

  private:
    bool* group_;
    std::optional<storage::Transaction>* tx_;
};

}  // namespace forecourt::sync::detail
