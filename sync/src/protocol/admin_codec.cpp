// The admin API's messages: consultants, vehicle models, enrolment codes,
// handover, and the lists of devices, conflicts and the review queue.
#include "forecourt/core/uuid.hpp"
#include "forecourt/sync/codec.hpp"
#include "json_reader.hpp"

namespace forecourt::sync {

using detail::invalid;
using detail::Members;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxName = 200;

Status check_name(const std::string& name, const std::string& path) {
    if (name.empty() || name.size() > kMaxName)
        return invalid(path + " must have 1 to " + std::to_string(kMaxName) + " bytes");
    return ok_status();
}

Status check_id(const std::string& id, const std::string& path) {
    if (!is_uuid(id)) return invalid(path + " must be a lowercase UUID");
    return ok_status();
}

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

Result<std::vector<std::string>> id_list(const json& j, const std::string& path) {
    if (!j.is_array()) return detail::protocol_error(path + " must be an array");
    std::vector<std::string> out;
    for (const auto& id : j) {
        if (!id.is_string()) return detail::protocol_error(path + " must hold strings");
        FC_TRY(check_id(id.get<std::string>(), path));
        out.push_back(id.get<std::string>());
    }
    return out;
}

// The array `key` of a message, each element decoded by `decode`.
template <typename T, typename Decode>
Result<std::vector<T>> decode_list(std::string_view body, const Limits& limits, const char* key,
                                   Decode decode) {
    FC_ASSIGN(json j, detail::parse_message(body, limits, limits.max_response_bytes));
    FC_ASSIGN(const json* items, Members(j, "").array(key));
    std::vector<T> out;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const json& item = (*items)[i];
        const std::string path = std::string(key) + "[" + std::to_string(i) + "]";
        if (!item.is_object()) return detail::protocol_error(path + " must be an object");
        FC_ASSIGN(auto value, decode(Members(item, path)));
        out.push_back(std::move(value));
    }
    return out;
}

Result<ConsultantInfo> consultant_from(const Members& m) {
    ConsultantInfo c;
    FC_ASSIGN(c.id, m.text("id"));
    FC_ASSIGN(c.name, m.text("name"));
    FC_ASSIGN(c.phone, m.opt_text("phone"));
    FC_ASSIGN(c.role, m.text("role"));
    FC_ASSIGN(c.active, m.boolean("active"));
    return c;
}

Result<DeviceInfo> device_from(const Members& m) {
    DeviceInfo d;
    FC_ASSIGN(d.id, m.text("id"));
    FC_ASSIGN(d.name, m.text("name"));
    FC_ASSIGN(d.consultant_id, m.text("consultant_id"));
    FC_ASSIGN(d.status, m.text("status"));
    FC_ASSIGN(d.acked_seq, m.integer("acked_seq"));
    FC_ASSIGN(d.cursor, m.integer("cursor"));
    FC_ASSIGN(d.enrolled_at, m.integer("enrolled_at"));
    FC_ASSIGN(d.last_seen_at, m.opt_integer("last_seen_at"));
    return d;
}

Result<std::pair<json, Version>> side_from(const Members& m, std::string_view key) {
    FC_ASSIGN(const json* side, m.object(key));
    const json* value = Members(*side, m.path(key)).find("value");
    FC_ASSIGN(auto version_text, Members(*side, m.path(key)).text("version"));
    auto version = detail::version_from_wire(version_text);
    if (!value || !version) return invalid(m.path(key) + " needs a value and a version");
    return std::pair{*value, *version};
}

Result<ConflictEntry> conflict_from(const Members& m) {
    ConflictEntry c;
    FC_ASSIGN(c.id, m.integer("id"));
    FC_ASSIGN(c.at, m.integer("at"));
    FC_ASSIGN(c.table, m.text("table"));
    FC_ASSIGN(c.record_id, m.text("record_id"));
    FC_ASSIGN(c.field, m.text("field"));
    FC_ASSIGN(c.owner_id, m.text("owner_id"));
    FC_ASSIGN(auto winner, side_from(m, "winner"));
    FC_ASSIGN(auto loser, side_from(m, "loser"));
    std::tie(c.winner_value, c.winner_version) = winner;
    std::tie(c.loser_value, c.loser_version) = loser;
    FC_ASSIGN(c.device_id, m.text("device_id"));
    FC_ASSIGN(c.seq, m.integer("seq"));
    return c;
}

Result<ReviewEntry> review_from(const Members& m) {
    ReviewEntry r;
    FC_ASSIGN(r.id, m.integer("id"));
    FC_ASSIGN(r.at, m.integer("at"));
    FC_ASSIGN(r.device_id, m.text("device_id"));
    FC_ASSIGN(r.consultant_id, m.text("consultant_id"));
    FC_ASSIGN(r.reason, m.text("reason"));
    FC_ASSIGN(r.table, m.text("table"));
    FC_ASSIGN(r.record_id, m.text("record_id"));
    FC_ASSIGN(r.applied, m.boolean("applied"));
    FC_ASSIGN(const json* change, m.object("change"));
    r.change = *change;
    return r;
}

}  // namespace

std::string encode(const ConsultantInput& c) {
    json out = new_message();
    out["name"] = c.name;
    out["phone"] = opt(c.phone);
    out["role"] = c.role;
    return dump_json(out);
}

Result<ConsultantInput> decode_consultant_input(std::string_view body, const Limits& limits) {
    FC_ASSIGN(json j, detail::parse_message(body, limits, limits.max_body_bytes));
    Members m(j, "");
    ConsultantInput c;
    FC_ASSIGN(c.name, m.text("name"));
    FC_TRY(check_name(c.name, "name"));
    FC_ASSIGN(c.phone, m.opt_text("phone"));
    FC_ASSIGN(auto role, m.opt_text("role"));
    c.role = role.value_or("consultant");
    if (c.role != "consultant" && c.role != "manager") return invalid("role must be consultant or manager");
    return c;
}

json to_json(const ConsultantInfo& c) {
    return {{"id", c.id}, {"name", c.name}, {"phone", opt(c.phone)}, {"role", c.role}, {"active", c.active}};
}

std::string encode_consultants(const std::vector<ConsultantInfo>& consultants) {
    json out = new_message();
    out["consultants"] = json::array();
    for (const auto& c : consultants) out["consultants"].push_back(to_json(c));
    return dump_json(out);
}

Result<std::vector<ConsultantInfo>> decode_consultants(std::string_view body, const Limits& limits) {
    return decode_list<ConsultantInfo>(body, limits, "consultants", consultant_from);
}

std::string encode(const std::vector<VehicleModelInput>& models) {
    json out = new_message();
    out["models"] = json::array();
    for (const auto& v : models) {
        json m = {{"name", v.name}, {"brand", opt(v.brand)}, {"series", opt(v.series)}};
        m["price"] = v.price ? json(*v.price) : json(nullptr);
        if (v.id) m["id"] = *v.id;
        out["models"].push_back(std::move(m));
    }
    return dump_json(out);
}

Result<std::vector<VehicleModelInput>> decode_vehicle_models(std::string_view body, const Limits& limits) {
    return decode_list<VehicleModelInput>(body, limits, "models", [](const Members& m) -> Result<VehicleModelInput> {
        VehicleModelInput v;
        FC_ASSIGN(v.id, m.opt_text("id"));
        if (v.id) FC_TRY(check_id(*v.id, m.path("id")));
        FC_ASSIGN(v.name, m.text("name"));
        FC_TRY(check_name(v.name, m.path("name")));
        FC_ASSIGN(v.brand, m.opt_text("brand"));
        FC_ASSIGN(v.series, m.opt_text("series"));
        FC_ASSIGN(v.price, m.opt_integer("price"));
        if (v.price && *v.price < 0) return invalid(m.path("price") + " cannot be negative");
        return v;
    });
}

std::string encode(const IssueCodeRequest& r) {
    json out = new_message();
    out["consultant_id"] = r.consultant_id;
    return dump_json(out);
}

Result<IssueCodeRequest> decode_issue_code_request(std::string_view body, const Limits& limits) {
    FC_ASSIGN(json j, detail::parse_message(body, limits, limits.max_body_bytes));
    IssueCodeRequest r;
    FC_ASSIGN(r.consultant_id, Members(j, "").text("consultant_id"));
    FC_TRY(check_id(r.consultant_id, "consultant_id"));
    return r;
}

std::string encode(const IssuedCode& c) {
    json out = new_message();
    out["code"] = c.code;
    out["consultant_id"] = c.consultant_id;
    out["expires_at"] = c.expires_at;
    return dump_json(out);
}

Result<IssuedCode> decode_issued_code(std::string_view body, const Limits& limits) {
    FC_ASSIGN(json j, detail::parse_message(body, limits, limits.max_response_bytes));
    Members m(j, "");
    IssuedCode c;
    FC_ASSIGN(c.code, m.text("code"));
    FC_ASSIGN(c.consultant_id, m.text("consultant_id"));
    FC_ASSIGN(c.expires_at, m.integer("expires_at"));
    return c;
}

std::string encode(const HandoverRequest& r) {
    json out = new_message();
    out["from"] = r.from;
    out["to"] = r.to;
    if (r.customers) out["customers"] = *r.customers;
    return dump_json(out);
}

Result<HandoverRequest> decode_handover_request(std::string_view body, const Limits& limits) {
    FC_ASSIGN(json j, detail::parse_message(body, limits, limits.max_body_bytes));
    Members m(j, "");
    HandoverRequest r;
    FC_ASSIGN(r.from, m.text("from"));
    FC_ASSIGN(r.to, m.text("to"));
    FC_TRY(check_id(r.from, "from"));
    FC_TRY(check_id(r.to, "to"));
    if (r.from == r.to) return invalid("from and to are the same consultant");
    if (const json* customers = m.find("customers")) {
        FC_ASSIGN(auto ids, id_list(*customers, "customers"));
        r.customers = std::move(ids);
    }
    return r;
}

std::string encode_devices(const std::vector<DeviceInfo>& devices) {
    json out = new_message();
    out["devices"] = json::array();
    for (const auto& d : devices)
        out["devices"].push_back({{"id", d.id}, {"name", d.name}, {"consultant_id", d.consultant_id},
                                  {"status", d.status}, {"acked_seq", d.acked_seq}, {"cursor", d.cursor},
                                  {"enrolled_at", d.enrolled_at},
                                  {"last_seen_at", d.last_seen_at ? json(*d.last_seen_at) : json(nullptr)}});
    return dump_json(out);
}

Result<std::vector<DeviceInfo>> decode_devices(std::string_view body, const Limits& limits) {
    return decode_list<DeviceInfo>(body, limits, "devices", device_from);
}

std::string encode_conflicts(const std::vector<ConflictEntry>& conflicts, std::int64_t next) {
    json out = new_message();
    out["conflicts"] = json::array();
    for (const auto& c : conflicts)
        out["conflicts"].push_back(
            {{"id", c.id}, {"at", c.at}, {"table", c.table}, {"record_id", c.record_id},
             {"field", c.field}, {"owner_id", c.owner_id},
             {"winner", {{"value", c.winner_value}, {"version", c.winner_version.to_string()}}},
             {"loser", {{"value", c.loser_value}, {"version", c.loser_version.to_string()}}},
             {"device_id", c.device_id}, {"seq", c.seq}});
    out["next"] = next;
    return dump_json(out);
}

Result<std::vector<ConflictEntry>> decode_conflicts(std::string_view body, const Limits& limits) {
    return decode_list<ConflictEntry>(body, limits, "conflicts", conflict_from);
}

std::string encode_review(const std::vector<ReviewEntry>& review, std::int64_t next) {
    json out = new_message();
    out["review"] = json::array();
    for (const auto& r : review)
        out["review"].push_back({{"id", r.id}, {"at", r.at}, {"device_id", r.device_id},
                                 {"consultant_id", r.consultant_id}, {"reason", r.reason},
                                 {"table", r.table}, {"record_id", r.record_id},
                                 {"applied", r.applied}, {"change", r.change}});
    out["next"] = next;
    return dump_json(out);
}

Result<std::vector<ReviewEntry>> decode_review(std::string_view body, const Limits& limits) {
    return decode_list<ReviewEntry>(body, limits, "review", review_from);
}

}  // namespace forecourt::sync
