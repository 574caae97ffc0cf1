// The JSON codec of sync protocol v1. Decoding treats every byte as untrusted:
// no exceptions, the size, depth, string and array limits are enforced while
// parsing (before any document is built), and every value is checked against
// the record schema. Each violation is one Error (domain sync) whose code
// gives the HTTP status: protocol 400, limit_exceeded 413, invalid_argument 422.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/store/change_log.hpp"
#include "forecourt/platform/result.hpp"
#include "forecourt/sync/protocol.hpp"

namespace forecourt::sync {

// Parses a JSON object of at most `max_bytes`, within `limits` (valid UTF-8,
// depth, string and array sizes). Nothing larger than the limits is built.
Result<nlohmann::json> parse_bounded(std::string_view text, const Limits& limits,
                                     std::size_t max_bytes);
// Serialises for the wire (invalid UTF-8, which never passes decoding, is replaced).
std::string dump_json(const nlohmann::json& j);
// {"protocol": 1}, to add a message's members to.
nlohmann::json new_message();

// --- Errors -------------------------------------------------------------------
int http_status(const Error& error);
// {"error":{"code":"<code>","message":"<message>"}}; with `seq`, also
// "seq": the pushed change whose content was refused.
std::string encode_error(const Error& error, std::optional<std::int64_t> seq = std::nullopt);
// The Error an error response carries (or one made from its status).
Error decode_error(int status, std::string_view body);
// The pushed change an error response names ("seq", positive), if it names one.
std::optional<std::int64_t> refused_seq(std::string_view body);

// --- Versions on the wire -----------------------------------------------------
std::string hlc_to_hex(Hlc hlc);  // exactly 16 lowercase hex digits
std::optional<Hlc> hlc_from_hex(std::string_view text);

// --- POST /v1/sync ----------------------------------------------------------
nlohmann::json to_json(const Change& change);  // as pushed, e.g. for the review queue
std::string encode(const SyncRequest& request);
// A push whose changes' fields are JSON text already, as the tablet's outbox
// keeps them ({"<field>": {"value": v, "base": "<version>" | null}}): with
// encode() below, the message encode(SyncRequest) writes for the same changes.
struct EncodedPush {
    std::vector<std::string> changes;  // each change's JSON
    std::size_t bytes = 0;             // their total length
    std::optional<std::int64_t> follows;  // push.follows (SyncRequest::follows)
    // `fields` must be a JSON object; the store checks what it holds.
    void add(std::int64_t seq, std::string_view table, std::string_view record_id, Hlc hlc,
             std::string_view fields);
    // Keeps the first changes that fit in about `max_bytes`, the first always
    // (the store refuses it with a reason of its own if it is too large).
    void fit(std::size_t max_bytes);
};
std::string encode(const EncodedPush& push, const std::optional<PullRequest>& pull);
// When the request is refused (422) for the content of one pushed change
// whose own seq is readable, `refused` (if given) receives that seq.
Result<SyncRequest> decode_sync_request(std::string_view body, const Limits& limits,
                                        std::optional<std::int64_t>* refused = nullptr);
std::string encode(const SyncResponse& response);
// A pulled page whose changes are JSON text already, each from an entry of the
// store's log as stored; the text of a SyncResponse whose pull is `page` (its
// own `pull` is not read): the message encode() writes for the typed page,
// with each change's members in another order.
struct EncodedPullPage {
    std::string changes;  // the "changes" array's elements, comma-separated
    std::int64_t cursor = 0;
    bool more = false;
    std::optional<std::int64_t> remaining;
    std::optional<SnapshotPosition> snapshot = std::nullopt;
    void add(const store::WireEntry& entry);
};
std::string encode(const SyncResponse& response, const EncodedPullPage& page);
Result<SyncResponse> decode_sync_response(std::string_view body, const Limits& limits);
// The same decoding with the whole message parsed into a document first: what
// decode_sync_response falls back to for a page not in the store's own shape
// (it names what is wrong), and the reference its direct reading is tested against.
Result<SyncResponse> decode_sync_response_document(std::string_view body, const Limits& limits);

// --- POST /v1/enrol, GET /v1/health, pokes ----------------------------------
std::string encode(const EnrolRequest& request);
Result<EnrolRequest> decode_enrol_request(std::string_view body, const Limits& limits);
std::string encode(const EnrolResponse& response);
Result<EnrolResponse> decode_enrol_response(std::string_view body, const Limits& limits);
std::string encode(const HealthResponse& response);
Result<HealthResponse> decode_health_response(std::string_view body, const Limits& limits);
std::string encode(const Poke& poke);
Result<Poke> decode_poke(std::string_view text, const Limits& limits);

// --- Admin API ----------------------------------------------------------------
std::string encode(const ConsultantInput& input);
Result<ConsultantInput> decode_consultant_input(std::string_view body, const Limits& limits);
nlohmann::json to_json(const ConsultantInfo& consultant);
std::string encode_consultants(const std::vector<ConsultantInfo>& consultants);
Result<std::vector<ConsultantInfo>> decode_consultants(std::string_view body, const Limits& limits);

std::string encode(const std::vector<VehicleModelInput>& models);
Result<std::vector<VehicleModelInput>> decode_vehicle_models(std::string_view body,
                                                             const Limits& limits);

std::string encode(const IssueCodeRequest& request);
Result<IssueCodeRequest> decode_issue_code_request(std::string_view body, const Limits& limits);
std::string encode(const IssuedCode& code);
Result<IssuedCode> decode_issued_code(std::string_view body, const Limits& limits);

std::string encode(const HandoverRequest& request);
Result<HandoverRequest> decode_handover_request(std::string_view body, const Limits& limits);

std::string encode_devices(const std::vector<DeviceInfo>& devices);
Result<std::vector<DeviceInfo>> decode_devices(std::string_view body, const Limits& limits);
std::string encode_conflicts(const std::vector<ConflictEntry>& conflicts, std::int64_t next);
Result<std::vector<ConflictEntry>> decode_conflicts(std::string_view body, const Limits& limits);
std::string encode_review(const std::vector<ReviewEntry>& review, std::int64_t next);
Result<std::vector<ReviewEntry>> decode_review(std::string_view body, const Limits& limits);

}  // namespace forecourt::sync
