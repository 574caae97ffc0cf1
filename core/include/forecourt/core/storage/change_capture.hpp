// Change capture: every local write of a synced record goes through here, is
// stamped with one HLC, and is appended to the outbox in the same transaction.
// The outbox holds exactly what a sync push needs: (replica, seq) identifies
// the change; each field carries its new value and the version it replaced
// (`base`), so the server can tell a concurrent edit from a sequential one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/hlc.hpp"
#include "forecourt/core/storage/record_store.hpp"

namespace forecourt::storage {

struct OutboxField {
    std::string field;
    nlohmann::json value;
    std::optional<Version> base;  // nullopt: the field had no value before
};

struct OutboxEntry {
    std::int64_t seq = 0;  // local sequence, never reused
    std::string table;
    std::string record_id;
    Hlc hlc;  // one stamp for every field of the write
    std::vector<OutboxField> fields;
};

// An outbox change with its fields as the outbox keeps them: JSON text,
// {"<field>": {"value": v, "base": "<version>" | null}}, checked to be a
// JSON object ("{}" stands in for a row whose text is not one).
struct StoredChange {
    std::int64_t seq = 0;
    std::string table;
    std::string record_id;
    Hlc hlc;
    std::string fields;
};

// A change the store refused for its content, set aside and kept.
struct RefusedChange {
    OutboxEntry change;
    std::string reason;       // the store's message
    std::int64_t refused_at;  // ms since the epoch
};

using RecordRef = std::pair<std::string, std::string>;  // (table, record id)
using PendingFieldsByRecord = std::map<RecordRef, std::set<std::string>>;

class ChangeCapture {
public:
    ChangeCapture(RecordStore& records, HybridClock& clock, std::string replica_id,
                  std::string store_id)
        : records_(&records), clock_(&clock), replica_(std::move(replica_id)),
          store_(std::move(store_id)) {}

    // Writes `fields` (a JSON object: field -> value) to the record and appends
    // the change to the outbox. Fields whose value is unchanged are skipped; a
    // write that changes nothing appends nothing. Returns the change's stamp.
    Result<Hlc> write(Transaction& tx, const model::TableSpec& table, const std::string& id,
                      const std::string& owner_id, const nlohmann::json& fields);

    // Up to `limit` changes after `after_seq`, oldest first.
    Result<std::vector<OutboxEntry>> pending(std::int64_t after_seq, int limit);
    // The same changes with their fields left as text, for a push to send as
    // they are rather than parse and write again.
    Result<std::vector<StoredChange>> pending_stored(std::int64_t after_seq, int limit);
    Result<std::int64_t> pending_count();
    // Whether any change waits in the outbox (one probe, not a count).
    Result<bool> has_pending();
    // For each of `records` that has a change waiting in the outbox, the
    // fields those changes set. One pass over the outbox, which has no index
    // by record (a page fewer for every local write): each row's table and
    // id are compared, and only a match's fields are parsed.
    Result<PendingFieldsByRecord> pending_fields(const std::set<RecordRef>& records);
    // The server acknowledged every change up to and including `seq`.
    Status acknowledge(Transaction& tx, std::int64_t seq);
    // The store refused change `seq` for its content: it leaves the outbox, so
    // the changes after it can sync, and is kept in outbox_refused with the
    // store's reason. not_found if `seq` is not in the outbox.
    Status set_aside(Transaction& tx, std::int64_t seq, const std::string& reason,
                     std::int64_t at_ms);
    Result<std::int64_t> refused_count();
    // Puts every refused change back in the outbox, in its order, under new
    // seqs (a seq is never reused), to be pushed again: after the store was
    // upgraded, say. Returns how many.
    Result<std::int64_t> requeue_refused(Transaction& tx);
    // Up to `limit` refused changes, oldest first.
    Result<std::vector<RefusedChange>> refused(int limit);
    // Rewrites consultant_id values captured before the book was enrolled
    // (see RecordStore::adopt_identity), so the pushed changes name the
    // consultant the store knows.
    Status adopt_consultant(Transaction& tx, const std::string& from, const std::string& to);

    const std::string& replica_id() const { return replica_; }
    const std::string& store_id() const { return store_; }
    void set_store_id(std::string store_id) { store_ = std::move(store_id); }
    HybridClock& clock() { return *clock_; }

private:
    RecordStore* records_;
    HybridClock* clock_;
    std::string replica_;
    std::string store_;
};

// Serialises outbox fields to/from the outbox's JSON column.
nlohmann::json outbox_fields_to_json(const std::vector<OutboxField>& fields);
std::vector<OutboxField> outbox_fields_from_json(const nlohmann::json& j);

}  // namespace forecourt::storage
