// The messages of sync protocol v1 (sync/PROTOCOL.md) as typed structs, and
// the limits every peer enforces on what it receives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/hlc.hpp"
#include "forecourt/core/store/device_registry.hpp"
#include "forecourt/core/store/scope_snapshot.hpp"
#include "forecourt/core/store/store_journal.hpp"
#include "forecourt/platform/clock.hpp"

namespace forecourt::sync {

inline constexpr int kProtocolVersion = 1;

using RecordKey = std::pair<std::string, std::string>;  // (table, record id)

struct Limits {
    std::size_t max_body_bytes = 1 << 20;  // requests the server accepts
    std::size_t max_response_bytes = 16 << 20;  // responses the tablet accepts
    int max_depth = 8;  // the root object is depth 1
    std::size_t max_string_bytes = 8192;  // values and member names
    std::size_t max_array_length = 2000;  // also members per object
    std::size_t max_changes_per_batch = 500;
    std::size_t max_fields_per_change = 64;
    int max_pull_page = 2000;  // at most max_array_length
    std::size_t max_page_bytes = 1 << 20;
    platform::EpochMs max_clock_skew_ms = 5 * 60 * 1000;
    platform::EpochMs enrolment_code_lifetime_ms = 15 * 60 * 1000;
};

// --- POST /v1/sync --------------------------------------------------------

struct FieldChange {
    std::string field;
    nlohmann::json value;
    std::optional<Version> base;  // the version the writer had seen; nullopt: none
};

// One outbox row of a device: (device, seq) names it for ever.
struct Change {
    std::int64_t seq = 0;
    std::string table;
    std::string record_id;
    Hlc hlc;
    std::vector<FieldChange> fields;
};

// Where a new tablet's snapshot of its scope stands (head 0: start one).
using SnapshotPosition = store::SnapshotPosition;

struct PullRequest {
    std::int64_t cursor = 0;
    int limit = 500;
    bool count = false;  // ask how many changes remain after the page (for progress)
    // With cursor 0: the records as they are, instead of the log from its start.
    std::optional<SnapshotPosition> snapshot = std::nullopt;
};

struct SyncRequest {
    std::vector<Change> push;
    std::optional<PullRequest> pull;
    // push.follows: the batch is applied only once the store has applied this
    // device's changes up to this seq (a batch sent before the answer to the
    // one ahead of it); nullopt: no such condition.
    std::optional<std::int64_t> follows = std::nullopt;
};

struct FieldValue {
    std::string field;
    nlohmann::json value;
    Version version;
    friend bool operator==(const FieldValue&, const FieldValue&) = default;
};

enum class PulledOp { upsert, purge };

struct PulledChange {
    std::int64_t seq = 0;  // server sequence
    PulledOp op = PulledOp::upsert;
    std::string table;
    std::string record_id;
    std::string owner_id;            // upsert only; empty for reference data
    std::vector<FieldValue> fields;  // upsert only
    friend bool operator==(const PulledChange&, const PulledChange&) = default;
};

struct PushResult {
    std::int64_t acked_seq = 0;
    int applied = 0;
    int duplicates = 0;
    int conflicts = 0;
    int review = 0;
    int restamped = 0;
    friend bool operator==(const PushResult&, const PushResult&) = default;
};

struct PullPage {
    std::vector<PulledChange> changes;
    std::int64_t cursor = 0;
    bool more = false;
    std::optional<std::int64_t> remaining = std::nullopt;  // changes left after this page, when counted
    // A snapshot's page with more of it to follow: where the next one starts
    // (`cursor` is then 0). Its last page has none, and `cursor` its head.
    std::optional<SnapshotPosition> snapshot = std::nullopt;
    friend bool operator==(const PullPage&, const PullPage&) = default;
};

enum class DeviceStatus { active, revoked };

struct SyncResponse {
    DeviceStatus device_status = DeviceStatus::active;
    std::string store_id;
    Hlc server_hlc;
    PushResult push;
    std::optional<PullPage> pull;  // absent for a revoked device, or when not asked
    friend bool operator==(const SyncResponse&, const SyncResponse&) = default;
};

// --- POST /v1/enrol, GET /v1/health, the poke -----------------------------

struct EnrolRequest {
    std::string code;
    std::string device_name;
    std::string replica_id;
};

struct EnrolResponse {
    std::string device_id;
    std::string token;
    std::string consultant_id;
    std::string consultant_name;
    std::string store_id;
    platform::EpochMs server_time = 0;
};

struct HealthResponse {
    std::string status = "ok";
    std::string store_id;
    platform::EpochMs server_time = 0;
};

// Sent over the device's WebSocket when its scope changed up to `cursor`.
struct Poke {
    std::int64_t cursor = 0;
};

// --- Admin API --------------------------------------------------------------

struct ConsultantInput {
    std::string name;
    std::optional<std::string> phone;
    std::string role = "consultant";  // or "manager"
};

struct ConsultantInfo {
    std::string id;
    std::string name;
    std::optional<std::string> phone;
    std::string role;
    bool active = true;
};

struct VehicleModelInput {
    std::optional<std::string> id;  // to update a model loaded before
    std::string name;
    std::optional<std::string> brand;
    std::optional<std::string> series;
    std::optional<std::int64_t> price;  // fen
};

struct IssueCodeRequest {
    std::string consultant_id;
};

struct HandoverRequest {
    std::string from;
    std::string to;
    std::optional<std::vector<std::string>> customers;  // nullopt: all of them
};

// Lists the admin API returns; rows as the store keeps them.
using DeviceInfo = store::DeviceRow;
using IssuedCode = store::IssuedCode;
using ConflictEntry = store::ConflictRow;
using ReviewEntry = store::ReviewRow;

}  // namespace forecourt::sync
