// A new tablet's first pull: the records of its consultant's scope as they
// are now, table by table in id order, instead of the change log from its
// beginning. Each page names where the next one starts, so a snapshot
// interrupted at any point resumes there; the log is then pulled from the
// head it was started at, which brings whatever changed meanwhile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "forecourt/core/store/change_log.hpp"

namespace forecourt::store {

// Where a snapshot stands. head: the log's head when it was started, the
// cursor a tablet pulls from once it is done (0: not started yet). table and
// after: the last record sent (empty: none yet). sent: how many records went
// out before, which also numbers the next ones.
struct SnapshotPosition {
    std::int64_t head = 0;
    std::string table;
    std::string after;
    std::int64_t sent = 0;
    friend bool operator==(const SnapshotPosition&, const SnapshotPosition&) = default;
};

struct SnapshotPage {
    // Upserts of whole records, numbered sent + 1, sent + 2, ... in `seq`:
    // ordinals within the snapshot, not log sequence numbers.
    std::vector<WireEntry> entries;
    // Where the next page starts; nullopt when this page ends the snapshot.
    std::optional<SnapshotPosition> next;
};

class ScopeSnapshot {
public:
    explicit ScopeSnapshot(storage::Database& db) : db_(&db) {}

    // The records after `from` in the scope of `consultant_id` (its records,
    // and the store's reference data): at most `limit` and about `max_bytes`
    // of fields (always at least one). `from.head` is carried over as it is.
    Result<SnapshotPage> page(const std::string& consultant_id, const SnapshotPosition& from, int limit,
                              std::size_t max_bytes);
    // How many records of that scope come after `from`.
    Result<std::int64_t> count_after(const std::string& consultant_id, const SnapshotPosition& from);

private:
    storage::Database* db_;
};

// Whether `table` is a synced table, or empty (a snapshot not begun).
bool snapshot_table_known(std::string_view table);

}  // namespace forecourt::store
