// The merge rules of sync/PROTOCOL.md as pure functions: what the store server
// does with a pushed change, and what the tablet does with a pulled one.
// Nothing here reads a clock or a database; the callers pass both in, so the
// rules are deterministic and tested on their own.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/hlc.hpp"
#include "forecourt/core/model/record_schema.hpp"
#include "forecourt/core/storage/record_store.hpp"
#include "forecourt/sync/protocol.hpp"

namespace forecourt::sync {

// The version a pushed change is stored with.
struct Stamp {
    Version version;
    bool restamped = false;
    Hlc original;  // the HLC the device sent
};

// The change keeps its HLC unless it is more than `max_skew_ms` ahead of the
// server's wall clock; then it takes the server's next HLC (the device stays
// the replica). The server's clock observes every stamp it accepts, so its
// own later stamps come after them.
Stamp stamp_change(HybridClock& server_clock, Hlc incoming, const std::string& device_id,
                   platform::EpochMs max_skew_ms);

// A field's value and version as the server holds it.
struct CurrentField {
    nlohmann::json value;
    Version version;
};

struct FieldConflict {
    nlohmann::json winner_value;
    Version winner_version;
    nlohmann::json loser_value;
    Version loser_version;
};

// What happens to one pushed field.
struct FieldDecision {
    std::string field;
    bool apply = false;  // write the pushed value with the change's version
    // The field's state afterwards (what devices pull).
    nlohmann::json value;
    Version version;
    std::optional<FieldConflict> conflict;  // concurrent edits with different values
};

// Per-field last writer wins. The push is sequential (applied) when its base
// is the current version, when the field has no value yet, or when the
// current value was written by the same device; otherwise the greater version
// wins and, if the values differ, the loser is reported as a conflict.
FieldDecision merge_field(const FieldChange& pushed, const Version& stamped,
                          const std::string& device_id, const std::optional<CurrentField>& current);

struct RecordMerge {
    bool duplicate = false;  // history record already present: nothing to do
    std::vector<FieldDecision> fields;
    std::vector<storage::FieldWrite> writes;  // what to write to the record
};

// Merges a pushed change into the record as the server holds it (`current`:
// the row RecordStore::read returns, nullopt if the record does not exist).
// History records are inserted once; a repeat is a duplicate, never a conflict.
RecordMerge merge_record(const model::TableSpec& table, const std::optional<nlohmann::json>& current,
                         const Change& change, const Version& stamped, const std::string& device_id);

// The fields of a pulled change the tablet writes: all of them, except those
// with an unsynced local edit (`pending`: field names in the outbox for this
// record), which the server will resolve when they are pushed. The server's
// state is the truth for everything else — including a history record the
// tablet wrote itself, whose content comes back unchanged but whose version
// the server may have re-stamped.
std::vector<storage::FieldWrite> merge_pulled(const PulledChange& change, const std::set<std::string>& pending);
// The same, taking the change's fields (moved into the writes); its table,
// id and owner are left as they are.
std::vector<storage::FieldWrite> merge_pulled(PulledChange&& change, const std::set<std::string>& pending);

}  // namespace forecourt::sync
