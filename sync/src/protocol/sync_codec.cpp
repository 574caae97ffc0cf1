// POST /v1/sync: the push batch and the pulled page, checked against the record schema.
// Values are moved out of the parsed document into the typed message.
#include "forecourt/sync/codec.hpp"
#include "json_reader.hpp"
#include "record_checks.hpp"

namespace forecourt::sync {

using detail::check_field_count;
using detail::check_record_id;
using detail::field_named;
using detail::invalid;
using detail::Members;
using detail::protocol_error;
using detail::table_named;
using detail::too_large;
using nlohmann::json;

namespace {

// One pushed field, {"value", "base"}, a member of `fields_path`.
Result<FieldChange> decode_field_change(const model::TableSpec& table, const std::string& name, json& j,
                                        std::string_view fields_path) {
    auto path = [&] { return std::string(fields_path) + "." + name; };
    if (!j.is_object()) return protocol_error(path() + " must be an object with value and base");
    const auto value = j.find("value");
    if (value == j.end()) return protocol_error(path() + ".value is missing");
    FC_TRY(field_named(table, name, *value, fields_path));
    FieldChange change{name, std::move(*value), std::nullopt};
    if (const auto base = j.find("base"); base != j.end() && !base->is_null()) {
        if (!base->is_string()) return protocol_error(path() + ".base must be a string or null");
        change.base = detail::version_from_wire(base->get_ref<const std::string&>());
        if (!change.base) return invalid(path() + ".base is not a version (hlc@replica)");
    }
    return change;
}

Result<Change> decode_change(json& j, const std::string& path, const Limits& limits) {
    if (!j.is_object()) return protocol_error(path + " must be an object");
    Members m(j, path);
    Change c;
    FC_ASSIGN(c.seq, m.integer("seq"));
    if (c.seq <= 0) return invalid(m.path("seq") + " must be positive (got " + std::to_string(c.seq) + ")");
    FC_ASSIGN(c.table, m.text("table"));
    FC_ASSIGN(const auto* table, table_named(c.table, m.path("table")));
    FC_ASSIGN(c.record_id, m.text("id"));
    FC_TRY(check_record_id(c.record_id, m.path("id")));
    FC_ASSIGN(auto hlc, m.text("hlc"));
    auto stamp = hlc_from_hex(hlc);
    if (!stamp) return invalid(m.path("hlc") + " must be 16 lowercase hex digits");
    c.hlc = *stamp;
    FC_TRY(m.object("fields"));
    json& fields = j["fields"];
    const std::string fields_path = m.path("fields");
    if (fields.empty()) return invalid(fields_path + " is empty");
    FC_TRY(check_field_count(fields, limits, fields_path));
    c.fields.reserve(fields.size());
    for (auto& [name, f] : fields.items()) {
        FC_ASSIGN(auto field, decode_field_change(*table, name, f, fields_path));
        c.fields.push_back(std::move(field));
    }
    return c;
}

Result<std::vector<Change>> decode_push(json& push, const Limits& limits,
                                        std::optional<std::int64_t>* refused) {
    if (!push.is_object()) return protocol_error("push must be an object");
    FC_TRY(Members(push, "push").array("changes"));
    json& changes = push["changes"];
    if (changes.size() > limits.max_changes_per_batch)
        return too_large("the batch has " + std::to_string(changes.size()) + " changes; at most " +
                         std::to_string(limits.max_changes_per_batch) + " are allowed");
    std::vector<Change> out;
    out.reserve(changes.size());
    for (std::size_t i = 0; i < changes.size(); ++i) {
        auto decoded = decode_change(changes[i], "push.changes[" + std::to_string(i) + "]", limits);
        if (!decoded.ok()) {
            // Content this store cannot take, in one change: name it, so the
            // tablet can set it aside and push the others (its seq is never moved out).
            if (refused && decoded.error().code == ErrorCode::invalid_argument)
                *refused = detail::positive_seq(changes[i]);
            return decoded.take_error();
        }
        Change change = std::move(decoded).value();
        if (!out.empty() && change.seq <= out.back().seq)
            return invalid("changes must be in strictly increasing seq order (seq " +
                           std::to_string(change.seq) + " follows " + std::to_string(out.back().seq) + ")");
        out.push_back(std::move(change));
    }
    return out;
}

Result<std::optional<std::int64_t>> decode_follows(const json& push) {
    if (!push.is_object()) return std::optional<std::int64_t>{};  // decode_push says why
    FC_ASSIGN(auto follows, Members(push, "push").opt_integer("follows"));
    if (follows && *follows < 0)
        return invalid("push.follows cannot be negative (got " + std::to_string(*follows) + ")");
    return follows;
}

Result<PullRequest> decode_pull(const json& pull, const Limits& limits) {
    if (!pull.is_object()) return protocol_error("pull must be an object");
    Members m(pull, "pull");
    PullRequest out;
    FC_ASSIGN(out.cursor, m.integer("cursor"));
    if (out.cursor < 0) return invalid("pull.cursor cannot be negative");
    FC_ASSIGN(auto limit, m.opt_integer("limit"));
    if (limit && *limit <= 0) return invalid("pull.limit must be positive");
    out.limit = static_cast<int>(std::min<std::int64_t>(limit.value_or(limits.max_pull_page), limits.max_pull_page));
    if (auto count = pull.find("count"); count != pull.end()) {
        if (!count->is_boolean()) return protocol_error("pull.count must be true or false");
        out.count = count->get<bool>();
    }
    if (auto snapshot = pull.find("snapshot"); snapshot != pull.end()) {
        FC_ASSIGN(out.snapshot, detail::snapshot_from_wire(*snapshot, "pull.snapshot"));
    }
    return out;
}

json fields_json(const Change& c) {
    json fields = json::object();
    for (const auto& f : c.fields)
        fields[f.field] = {{"value", f.value}, {"base", f.base ? json(f.base->to_string()) : json(nullptr)}};
    return fields;
}

}  // namespace

json to_json(const Change& c) {
    return {{"seq", c.seq}, {"table", c.table}, {"id", c.record_id}, {"hlc", hlc_to_hex(c.hlc)},
            {"fields", fields_json(c)}};
}

void EncodedPush::add(std::int64_t seq, std::string_view table, std::string_view record_id, Hlc hlc,
                      std::string_view fields) {
    std::string& out = changes.emplace_back();
    out.reserve(fields.size() + record_id.size() + 80);
    out += R"({"seq":)";
    out += std::to_string(seq);
    out += R"(,"table":)";
    detail::append_json_string(out, table);
    out += R"(,"id":)";
    detail::append_json_string(out, record_id);
    out += R"(,"hlc":")";
    out += hlc_to_hex(hlc);
    out += R"(","fields":)";
    out += fields;
    out += '}';
    bytes += out.size();
}

void EncodedPush::fit(std::size_t max_bytes) {
    std::size_t used = 0;
    std::size_t keep = 0;
    for (; keep < changes.size(); ++keep) {
        if (keep > 0 && used + changes[keep].size() > max_bytes) break;
        used += changes[keep].size();
    }
    changes.resize(keep);
    bytes = used;
}

std::string encode(const EncodedPush& push, const std::optional<PullRequest>& pull) {
    std::string out;
    out.reserve(push.bytes + push.changes.size() + 128);
    out += R"({"protocol":)";
    out += std::to_string(kProtocolVersion);
    if (pull) {
        out += R"(,"pull":{"cursor":)";
        out += std::to_string(pull->cursor);
        out += R"(,"limit":)";
        out += std::to_string(pull->limit);
        if (pull->count) out += R"(,"count":true)";
        if (pull->snapshot) detail::append_snapshot(out, *pull->snapshot);
        out += '}';
    }
    if (!push.changes.empty()) {
        out += R"(,"push":{)";
        if (push.follows) {
            out += R"("follows":)";
            out += std::to_string(*push.follows);
            out += ',';
        }
        out += R"("changes":[)";
        for (std::size_t i = 0; i < push.changes.size(); ++i) {
            if (i > 0) out += ',';
            out += push.changes[i];
        }
        out += "]}";
    }
    out += '}';
    return out;
}

std::string encode(const SyncRequest& request) {
    EncodedPush push;
    push.follows = request.follows;
    for (const auto& c : request.push) push.add(c.seq, c.table, c.record_id, c.hlc, dump_json(fields_json(c)));
    return encode(push, request.pull);
}

Result<SyncRequest> decode_sync_request(std::string_view body, const Limits& limits,
                                        std::optional<std::int64_t>* refused) {
    if (refused) refused->reset();
    FC_ASSIGN(json j, detail::parse_message(body, limits, limits.max_body_bytes));
    SyncRequest out;
    if (auto push = j.find("push"); push != j.end()) {  // moved out of `j`
        FC_ASSIGN(out.follows, decode_follows(*push));
        FC_ASSIGN(out.push, decode_push(*push, limits, refused));
    }
    if (auto pull = j.find("pull"); pull != j.end()) {
        FC_ASSIGN(auto p, decode_pull(*pull, limits));
        out.pull = p;
    }
    return out;
}

}  // namespace forecourt::sync
