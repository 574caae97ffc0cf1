// POST /v1/enrol, GET /v1/health and the WebSocket poke.
#include "forecourt/core/uuid.hpp"
#include "forecourt/sync/codec.hpp"
#include "json_reader.hpp"

namespace forecourt::sync {

using detail::invalid;
using detail::Members;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxDeviceName = 200;

}  // namespace

std::string encode(const EnrolRequest& r) {
    json out = new_message();
    out["code"] = r.code;
    out["device_name"] = r.device_name;
    out["replica_id"] = r.replica_id;
    return dump_json(out);
}

Result<EnrolRequest> decode_enrol_request(std::string_view body, const Limits& limits) {
    FC_ASSIGN(json j, detail::parse_message(body, limits, limits.max_body_bytes));
    Members m(j, "");
    EnrolRequest r;
    FC_ASSIGN(r.code, m.text("code"));
    FC_ASSIGN(r.device_name, m.text("device_name"));
    FC_ASSIGN(r.replica_id, m.text("replica_id"));
    if (r.code.empty()) return invalid("code is empty");
    if (r.device_name.empty() || r.device_name.size() > kMaxDeviceName)
        return invalid("device_name must have 1 to " + std::to_string(kMaxDeviceName) + " bytes");
    if (!is_uuid(r.replica_id)) return invalid("replica_id must be a lowercase UUID");
    return r;
}

std::string encode(const EnrolResponse& r) {
    json out = new_message();
    out["device_id"] = r.device_id;
    out["token"] = r.token;
    out["consultant_id"] = r.consultant_id;
    out["consultant_name"] = r.consultant_name;
    out["store_id"] = r.store_id;
    out["server_time"] = r.server_time;
    return dump_json(out);
}

Result<EnrolResponse> decode_enrol_response(std::string_view body, const Limits& limits) {
    FC_ASSIGN(json j, detail::parse_message(body, limits, limits.max_response_bytes));
    Members m(j, "");
    EnrolResponse r;
    FC_ASSIGN(r.device_id, m.text("device_id"));
    FC_ASSIGN(r.token, m.text("token"));
    FC_ASSIGN(r.consultant_id, m.text("consultant_id"));
    FC_ASSIGN(r.consultant_name, m.text("consultant_name"));
    FC_ASSIGN(r.store_id, m.text("store_id"));
    FC_ASSIGN(r.server_time, m.integer("server_time"));
    if (!is_uuid(r.device_id) || !is_uuid(r.consultant_id) || !is_uuid(r.store_id))
        return invalid("device_id, consultant_id and store_id must be lowercase UUIDs");
    if (!r.token.starts_with(r.device_id + "."))
        return invalid("the token does not belong to the enrolled device");
    return r;
}

std::string encode(const HealthResponse& r) {
    json out = new_message();
    out["status"] = r.status;
    out["store_id"] = r.store_id;
    out["server_time"] = r.server_time;
    return dump_json(out);
}

Result<HealthResponse> decode_health_response(std::string_view body, const Limits& limits) {
    FC_ASSIGN(json j, detail::parse_message(body, limits, limits.max_response_bytes));
    Members m(j, "");
    HealthResponse r;
    FC_ASSIGN(r.status, m.text("status"));
    FC_ASSIGN(r.store_id, m.text("store_id"));
    FC_ASSIGN(r.server_time, m.integer("server_time"));
    return r;
}

std::string encode(const Poke& poke) { return dump_json({{"type", "poke"}, {"cursor", poke.cursor}}); }

Result<Poke> decode_poke(std::string_view text, const Limits& limits) {
    FC_ASSIGN(json j, parse_bounded(text, limits, limits.max_body_bytes));
    Members m(j, "");
    FC_ASSIGN(auto type, m.text("type"));
    if (type != "poke") return detail::protocol_error("unknown event type " + detail::quoted(type));
    Poke poke;
    FC_ASSIGN(poke.cursor, m.integer("cursor"));
    return poke;
}

}  // namespace forecourt::sync
