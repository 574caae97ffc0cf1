// POST /v1/sync response: the push acknowledgement and the pulled page. The
// tablet checks the page as strictly as the server checks a push.
#include <algorithm>

#include "forecourt/sync/codec.hpp"
#include "json_reader.hpp"
#include "record_checks.hpp"
#include "typed_page_reader.hpp"

namespace forecourt::sync {

using detail::invalid;
using detail::Members;
using detail::protocol_error;
using nlohmann::json;

namespace {

json pulled_to_json(const PulledChange& c) {
    json out = {{"seq", c.seq}, {"table", c.table}, {"id", c.record_id}};
    if (c.op == PulledOp::purge) {
        out["op"] = "purge";
        return out;
    }
    out["op"] = "upsert";
    out["owner_id"] = c.owner_id;
    json fields = json::object();
    json versions = json::object();
    const Version* common = most_common_version(c.fields);
    if (common) out["version"] = common->to_string();
    for (const auto& f : c.fields) {
        fields[f.field] = f.value;
        if (f.version != *common) versions[f.field] = f.version.to_string();
    }
    out["fields"] = std::move(fields);
    if (!versions.empty()) out["versions"] = std::move(versions);
    return out;
}

std::optional<Version> wire_version(const json& j) {
    return j.is_string() ? detail::version_from_wire(j.get_ref<const std::string&>()) : std::nullopt;
}

Error not_a_version(const std::string& path) { return invalid(path + " is not a version (hlc@replica)"); }

// An upsert's fields: values in "fields", the version they share in
// "version", and in "versions" those fields whose version differs. Values are
// copied, not moved out of the document: a page is decoded on one thread and
// applied on another, and copies made together were 0.1 s quicker to apply
// and free over a 55,339-change pull than the parser's scattered nodes.
Status decode_upsert_fields(const model::TableSpec& table, const Members& m, const Limits& limits,
                            PulledChange& c) {
    FC_ASSIGN(const json* found, m.object("fields"));
    const json& fields = *found;
    const std::string fields_path = m.path("fields");
    FC_TRY(detail::check_field_count(fields, limits, fields_path));
    static const json kNoVersions = json::object();
    const json* versions = m.find("versions");
    if (!versions) versions = &kNoVersions;
    if (!versions->is_object()) return protocol_error(m.path("versions") + " must be an object");
    for (const auto& [name, v] : versions->items())
        if (!fields.contains(name))
            return invalid(m.path("versions") + "." + detail::quoted(name) + " names no field of the change");
    std::optional<Version> common;
    if (const json* shared = m.find("version")) {
        common = wire_version(*shared);
        if (!common) return not_a_version(m.path("version"));
    }
    c.fields.reserve(fields.size());
    for (const auto& [name, value] : fields.items()) {
        FC_TRY(detail::field_named(table, name, value, fields_path));
        if (const auto own = versions->find(name); own != versions->end()) {
            auto version = wire_version(*own);
            if (!version) return not_a_version(m.path("versions") + "." + name);
            c.fields.push_back(FieldValue{name, value, std::move(*version)});
        } else if (common) {
            c.fields.push_back(FieldValue{name, value, *common});
        } else {
            return protocol_error(fields_path + "." + name +
                                  " has no version: the change has no \"version\" and \"versions\" does not name it");
        }
    }
    return ok_status();
}

Result<PulledChange> decode_pulled(const json& j, const std::string& path, const Limits& limits) {
    if (!j.is_object()) return protocol_error(path + " must be an object");
    Members m(j, path);
    PulledChange c;
    FC_ASSIGN(c.seq, m.integer("seq"));
    FC_ASSIGN(auto op, m.text("op"));
    if (op != "upsert" && op != "purge") return protocol_error(m.path("op") + " must be upsert or purge");
    c.op = op == "purge" ? PulledOp::purge : PulledOp::upsert;
    FC_ASSIGN(c.table, m.text("table"));
    FC_ASSIGN(const auto* table, detail::table_named(c.table, m.path("table")));
    FC_ASSIGN(c.record_id, m.text("id"));
    FC_TRY(detail::check_record_id(c.record_id, m.path("id")));
    if (c.op == PulledOp::purge) return c;
    FC_ASSIGN(c.owner_id, m.text("owner_id"));
    FC_TRY(decode_upsert_fields(*table, m, limits, c));
    return c;
}

// The page; its changes from `typed` when the reader read them already (the
// document then holds an empty "changes").
Result<PullPage> decode_page(const json& j, const Limits& limits, std::vector<PulledChange>* typed) {
    if (!j.is_object()) return protocol_error("pull must be an object");
    Members m(j, "pull");
    PullPage page;
    FC_ASSIGN(page.cursor, m.integer("cursor"));
    FC_ASSIGN(page.more, m.boolean("more"));
    FC_ASSIGN(page.remaining, m.opt_integer("remaining"));
    if (page.remaining && *page.remaining < 0) return invalid("pull.remaining cannot be negative");
    if (const json* snapshot = m.find("snapshot")) {
        FC_ASSIGN(page.snapshot, detail::snapshot_from_wire(*snapshot, "pull.snapshot"));
    }
    FC_ASSIGN(const json* found, m.array("changes"));
    if (typed) {
        page.changes = std::move(*typed);
        return page;
    }
    const json& changes = *found;
    page.changes.reserve(changes.size());
    for (std::size_t i = 0; i < changes.size(); ++i) {
        FC_ASSIGN(auto c, decode_pulled(changes[i], "pull.changes[" + std::to_string(i) + "]", limits));
        if (!page.changes.empty() && c.seq <= page.changes.back().seq)
            return invalid("pulled changes must be in increasing seq order");
        page.changes.push_back(std::move(c));
    }
    return page;
}

Result<PushResult> decode_push_result(const json& j) {
    if (!j.is_object()) return protocol_error("push must be an object");
    Members m(j, "push");
    PushResult r;
    FC_ASSIGN(r.acked_seq, m.integer("acked_seq"));
    int* counts[] = {&r.applied, &r.duplicates, &r.conflicts, &r.review, &r.restamped};
    const char* names[] = {"applied", "duplicates", "conflicts", "review", "restamped"};
    for (int i = 0; i < 5; ++i) {
        FC_ASSIGN(auto n, m.opt_integer(names[i]));
        *counts[i] = static_cast<int>(n.value_or(0));
    }
    return r;
}

// The message's members as a document, but the page's changes, which are
// text already: the document is written without them and they are spliced in.
std::string encode_with(const SyncResponse& response, const EncodedPullPage* page) {
    json out = new_message();
    out["device_status"] = response.device_status == DeviceStatus::revoked ? "revoked" : "active";
    out["store_id"] = response.store_id;
    out["server_hlc"] = hlc_to_hex(response.server_hlc);
    const auto& p = response.push;
    out["push"] = {{"acked_seq", p.acked_seq}, {"applied", p.applied}, {"duplicates", p.duplicates},
                   {"conflicts", p.conflicts}, {"review", p.review},   {"restamped", p.restamped}};
    std::string text = dump_json(out);
    if (!page) return text;
    json pull = {{"cursor", page->cursor}, {"more", page->more}};
    if (page->remaining) pull["remaining"] = *page->remaining;
    std::string pull_text = dump_json(pull);
    text.pop_back();  // the message's closing brace
    pull_text.pop_back();  // the page's
    if (page->snapshot) detail::append_snapshot(pull_text, *page->snapshot);
    text.reserve(text.size() + pull_text.size() + page->changes.size() + 32);
    text += R"(,"pull":)";
    text += pull_text;
    text += R"(,"changes":[)";
    text += page->changes;
    text += "]}}";
    return text;
}

}  // namespace

std::string encode(const SyncResponse& response) {
    if (!response.pull) return encode_with(response, nullptr);
    EncodedPullPage page{{}, response.pull->cursor, response.pull->more, response.pull->remaining,
                         response.pull->snapshot};
    for (const auto& c : response.pull->changes) {
        if (!page.changes.empty()) page.changes += ',';
        page.changes += dump_json(pulled_to_json(c));
    }
    return encode(response, page);
}

std::string encode(const SyncResponse& response, const EncodedPullPage& page) {
    return encode_with(response, &page);
}

// The members of an upsert ahead of its fields, then the stored text of its
// fields ({"fields": ..., "version": ..., "versions": ...}) spliced in as the
// rest of the object: member order carries no meaning in JSON.
void EncodedPullPage::add(const store::WireEntry& entry) {
    if (!changes.empty()) changes += ',';
    changes += R"({"seq":)";
    changes += std::to_string(entry.seq);
    changes += R"(,"table":)";
    detail::append_json_string(changes, entry.table);
    changes += R"(,"id":)";
    detail::append_json_string(changes, entry.record_id);
    if (entry.op == store::kOpPurge) {
        changes += R"(,"op":"purge"})";
        return;
    }
    changes += R"(,"op":"upsert","owner_id":)";
    detail::append_json_string(changes, entry.audience.value_or(""));
    // The stored object without its opening brace: its members, and its closing one.
    if (entry.fields.size() > 2 && entry.fields.front() == '{') {
        changes += ',';
        changes.append(entry.fields, 1);
    } else {
        changes += '}';
    }
}

namespace {

Result<SyncResponse> decode_response(const json& j, const Limits& limits,
                                     std::vector<PulledChange>* typed) {
    Members m(j, "");
    SyncResponse out;
    FC_ASSIGN(auto status, m.text("device_status"));
    if (status != "active" && status != "revoked")
        return protocol_error("device_status must be active or revoked");
    out.device_status = status == "revoked" ? DeviceStatus::revoked : DeviceStatus::active;
    FC_ASSIGN(out.store_id, m.text("store_id"));
    FC_ASSIGN(auto hlc, m.text("server_hlc"));
    auto stamp = hlc_from_hex(hlc);
    if (!stamp) return invalid("server_hlc must be 16 lowercase hex digits");
    out.server_hlc = *stamp;
    FC_ASSIGN(const json* push, m.object("push"));
    FC_ASSIGN(out.push, decode_push_result(*push));
    if (const json* pull = m.find("pull")) {
        FC_ASSIGN(auto page, decode_page(*pull, limits, typed));
        out.pull = std::move(page);
    }
    return out;
}

}  // namespace

// A page the store wrote is read straight into its typed changes; anything
// that reader does not take, whatever is wrong with it, is decoded through a
// document, which names the error.
Result<SyncResponse> decode_sync_response(std::string_view body, const Limits& limits) {
    auto typed = detail::read_typed_response(body, limits);
    if (typed && detail::check_protocol(typed->message).ok()) {
        auto decoded = decode_response(typed->message, limits, &typed->changes);
        if (decoded.ok()) return decoded;
    }
    return decode_sync_response_document(body, limits);
}

Result<SyncResponse> decode_sync_response_document(std::string_view body, const Limits& limits) {
    FC_ASSIGN(json j, detail::parse_message(body, limits, limits.max_response_bytes));
    return decode_response(j, limits, nullptr);
}

}  // namespace forecourt::sync
