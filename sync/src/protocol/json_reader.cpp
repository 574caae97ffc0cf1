// Checked member access for the codec.
#include "json_reader.hpp"

#include <algorithm>
#include <limits>

#include "forecourt/sync/codec.hpp"

namespace forecourt::sync::detail {

Error protocol_error(std::string message) {
    return make_error(ErrorCode::protocol, std::move(message), ErrorDomain::sync);
}
Error too_large(std::string message) {
    return make_error(ErrorCode::limit_exceeded, std::move(message), ErrorDomain::sync);
}
Error invalid(std::string message) {
    return make_error(ErrorCode::invalid_argument, std::move(message), ErrorDomain::sync);
}

std::optional<std::int64_t> positive_seq(const json& object) {
    if (!object.is_object()) return std::nullopt;
    const auto seq = object.find("seq");
    if (seq == object.end()) return std::nullopt;
    const auto value = as_int64(*seq);
    return value && *value > 0 ? value : std::nullopt;
}

std::optional<std::int64_t> as_int64(const json& value) {
    if (value.is_number_unsigned()) {
        const auto u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (value.is_number_integer()) return value.get<std::int64_t>();
    return std::nullopt;
}

std::string Members::path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const json* Members::find(std::string_view key) const {
    auto it = object_->find(key);
    return it == object_->end() ? nullptr : &*it;
}

Result<const json*> Members::required(std::string_view key) const {
    const json* v = find(key);
    if (!v) return protocol_error(path(key) + " is missing");
    return v;
}

Result<std::string> Members::text(std::string_view key) const {
    FC_ASSIGN(const json* v, required(key));
    if (!v->is_string()) return protocol_error(path(key) + " must be a string");
    return v->get<std::string>();
}

Result<std::optional<std::string>> Members::opt_text(std::string_view key) const {
    const json* v = find(key);
    if (!v || v->is_null()) return std::optional<std::string>{};
    if (!v->is_string()) return protocol_error(path(key) + " must be a string or null");
    return std::optional<std::string>{v->get<std::string>()};
}

Result<std::int64_t> Members::integer(std::string_view key) const {
    FC_ASSIGN(const json* v, required(key));
    auto n = as_int64(*v);
    if (!n) return protocol_error(path(key) + " must be a signed 64-bit integer");
    return *n;
}

Result<std::optional<std::int64_t>> Members::opt_integer(std::string_view key) const {
    const json* v = find(key);
    if (!v || v->is_null()) return std::optional<std::int64_t>{};
    auto n = as_int64(*v);
    if (!n) return protocol_error(path(key) + " must be a signed 64-bit integer or null");
    return std::optional<std::int64_t>{*n};
}

Result<bool> Members::boolean(std::string_view key) const {
    FC_ASSIGN(const json* v, required(key));
    if (!v->is_boolean()) return protocol_error(path(key) + " must be true or false");
    return v->get<bool>();
}

Result<const json*> Members::object(std::string_view key) const {
    FC_ASSIGN(const json* v, required(key));
    if (!v->is_object()) return protocol_error(path(key) + " must be an object");
    return v;
}

Result<const json*> Members::array(std::string_view key) const {
    FC_ASSIGN(const json* v, required(key));
    if (!v->is_array()) return protocol_error(path(key) + " must be an array");
    return v;
}

Result<json> parse_message(std::string_view body, const Limits& limits, std::size_t max_bytes) {
    FC_ASSIGN(json parsed, parse_bounded(body, limits, max_bytes));
    FC_TRY(check_protocol(parsed));
    return parsed;
}

Status check_protocol(const json& message) {
    auto version = message.find("protocol");
    if (version == message.end()) return protocol_error("protocol is missing (this peer speaks 1)");
    auto n = as_int64(*version);
    if (!n || *n != kProtocolVersion)
        return protocol_error("unsupported protocol version " + version->dump() + "; this peer speaks " +
                              std::to_string(kProtocolVersion));
    return ok_status();
}

}  // namespace forecourt::sync::detail

namespace forecourt::sync::detail {

std::optional<Version> version_from_wire(std::string_view text) {
    if (text.size() < 18 || text.size() > 17 + 128 || text[16] != '@') return std::nullopt;
    auto hlc = hlc_from_hex(text.substr(0, 16));
    if (!hlc) return std::nullopt;
    const auto replica = text.substr(17);
    for (char c : replica)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
    return Version{*hlc, std::string(replica)};
}

std::string quoted(std::string_view text) {
    constexpr std::size_t kMax = 64;
    std::size_t cut = std::min(text.size(), kMax);
    // Never cut a UTF-8 sequence in two.
    while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    std::string out = "'";
    out += text.substr(0, cut);
    if (cut < text.size()) out += "…";
    return out + "'";
}

Result<SnapshotPosition> snapshot_from_wire(const json& object, const std::string& path) {
    if (!object.is_object()) return protocol_error(path + " must be an object");
    Members m(object, path);
    SnapshotPosition p;
    FC_ASSIGN(p.head, m.integer("head"));
    FC_ASSIGN(p.table, m.text("table"));
    FC_ASSIGN(p.after, m.text("after"));
    FC_ASSIGN(p.sent, m.integer("sent"));
    if (p.head < 0 || p.sent < 0) return invalid(path + ".head and " + path + ".sent cannot be negative");
    if (!store::snapshot_table_known(p.table))
        return invalid(m.path("table") + " names no synced table: " + detail::quoted(p.table));
    if (p.table.empty() && !p.after.empty()) return invalid(m.path("after") + " needs a table");
    return p;
}

void append_snapshot(std::string& out, const SnapshotPosition& position) {
    out += R"(,"snapshot":{"head":)";
    out += std::to_string(position.head);
    out += R"(,"table":)";
    append_json_string(out, position.table);
    out += R"(,"after":)";
    append_json_string(out, position.after);
    out += R"(,"sent":)";
    out += std::to_string(position.sent);
    out += '}';
}

}  // namespace forecourt::sync::detail
