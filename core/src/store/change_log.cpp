// Appending to and paging through the store's change log.
#include "forecourt/core/store/change_log.hpp"

#include "forecourt/core/json_text.hpp"

namespace forecourt::store {

using nlohmann::json;
using storage::Query;

namespace {

constexpr std::string_view kEntryColumns =
    "seq, at, op, tbl, record_id, audience, fields, origin_device, origin_seq, echo";

// The entries a reader pulls (bound: ?1 the cursor, ?3 the consultant, ?5 the
// device), as two ordered index ranges: store-wide entries, then the
// consultant's. Each range stops where the caller's ORDER BY seq LIMIT does,
// so a page costs the same at the start of a long pull as at its end;
// "audience IS NULL OR audience = ?" made SQLite gather and sort every
// remaining entry for every page.
std::string reader_ranges(std::string_view columns, std::string_view upper_bound) {
    const std::string rest = std::string(" AND seq > ?1") + std::string(upper_bound) +
                             " AND NOT (echo AND origin_device = ?5)";
    return "SELECT " + std::string(columns) + " FROM change_log WHERE audience IS NULL" + rest +
           " UNION ALL SELECT " + std::string(columns) + " FROM change_log WHERE audience = ?3" + rest;
}

// An entry's fields are stored in the wire's own shape (sync/PROTOCOL.md):
// {"fields": {field: value}, "version": the version most of them share,
// "versions": {field: version} for those that differ}, so that a pull sends
// the stored text as it is. Earlier layouts are still read: the array
// [version, {field: value}, {field: version}], and before it an object of
// {field: {"value", "version"}}. The current layout is written with "fields"
// first, and no table has a field named "fields", so text that starts with a
// "fields" object is always the current layout.
std::string stored_fields(const std::vector<LoggedField>& fields) {
    // Written member by member: a document of copies only to write it out cost
    // more than the rest of appending the entry.
    const Version* common = most_common_version(fields);
    std::string out = R"({"fields":{)";
    for (const auto& f : fields) {
        if (&f != &fields.front()) out += ',';
        append_json_string(out, f.field);
        out += ':';
        out += f.value.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    out += '}';
    if (common) {
        out += R"(,"version":)";
        append_json_string(out, common->to_string());
    }
    bool first = true;
    for (const auto& f : fields) {
        if (f.version == *common) continue;
        out += first ? R"(,"versions":{)" : ",";
        first = false;
        append_json_string(out, f.field);
        out += ':';
        append_json_string(out, f.version.to_string());
    }
    if (!first) out += '}';
    out += '}';
    return out;
}

constexpr std::string_view kWireLayoutStart = R"({"fields":{)";

// The fields of one stored layout: values, the shared version, and the versions that differ.
std::vector<LoggedField> fields_of(json& values, const std::optional<Version>& common, const json& versions) {
    std::vector<LoggedField> out;
    for (auto& [field, value] : values.items()) {
        auto own = versions.find(field);
        auto version = own == versions.end() ? common
                       : own->is_string()    ? Version::parse(own->get_ref<const std::string&>())
                                             : std::nullopt;
        if (version) out.push_back(LoggedField{field, std::move(value), std::move(*version)});
    }
    return out;
}

// Fields whose version cannot be read are left out, as the store never wrote them.
std::vector<LoggedField> fields_from(std::string_view text) {
    json stored = json::parse(text, nullptr, false);
    static const json kNone = json::object();
    if (text.starts_with(kWireLayoutStart) && stored.is_object()) {
        const auto shared = stored.find("version");
        const auto common = shared != stored.end() && shared->is_string()
                                ? Version::parse(shared->get_ref<const std::string&>())
                                : std::nullopt;
        const auto versions = stored.find("versions");
        return fields_of(stored["fields"], common,
                         versions != stored.end() && versions->is_object() ? *versions : kNone);
    }
    if (stored.is_array() && stored.size() == 3 && stored[0].is_string() && stored[1].is_object() &&
        stored[2].is_object())
        return fields_of(stored[1], Version::parse(stored[0].get_ref<const std::string&>()), stored[2]);
    std::vector<LoggedField> out;
    if (!stored.is_object()) return out;
    for (auto& [field, state] : stored.items()) {  // the first layout
        if (!state.is_object()) continue;
        auto version = Version::parse(state.value("version", ""));
        if (version) out.push_back(LoggedField{field, state.value("value", json()), std::move(*version)});
    }
    return out;
}

// The stored fields in the current layout: as stored, or rewritten from an earlier one.
std::string wire_fields(std::string text) {
    if (text.starts_with(kWireLayoutStart)) return text;
    return stored_fields(fields_from(text));
}

LogEntry entry_from(storage::Statement& st) {
    LogEntry e;
    e.seq = st.int64(0);
    e.at = st.int64(1);
    e.op = st.text(2);
    e.table = st.text(3);
    e.record_id = st.text(4);
    e.audience = st.opt_text(5);
    e.fields = fields_from(st.text(6));
    e.origin_device = st.opt_text(7);
    e.origin_seq = st.int64(8);
    e.echo = st.int64(9) != 0;
    return e;
}

WireEntry wire_entry_from(storage::Statement& st) {
    WireEntry e;
    e.seq = st.int64(0);
    e.op = st.text(2);
    e.table = st.text(3);
    e.record_id = st.text(4);
    e.audience = st.opt_text(5);
    if (e.op != kOpPurge) e.fields = wire_fields(st.text(6));
    return e;
}

// A page of entries up to `head_seq`, each read by `read_entry` (see ChangeLog::page).
template <typename Entry, typename ReadEntry>
Result<BasicLogPage<Entry>> read_page(storage::Database& db, std::int64_t head_seq, std::int64_t cursor,
                                      const LogReader& reader, int limit, std::size_t max_bytes,
                                      ReadEntry read_entry) {
    FC_ASSIGN(auto q, Query::prepare(db, reader_ranges(kEntryColumns, " AND seq <= ?2") +
                                             " ORDER BY seq LIMIT ?4"));
    q->bind(1, cursor).bind(2, head_seq).bind(3, reader.consultant_id).bind(4, limit + 1);
    q->bind(5, reader.device_id);
    BasicLogPage<Entry> page;
    std::size_t bytes = 0;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        const bool full = static_cast<int>(page.entries.size()) >= limit ||
                          (!page.entries.empty() && bytes >= max_bytes);
        if (full) {
            page.more = true;
            break;
        }
        bytes += q->text_view(6).size();
        page.entries.push_back(read_entry(*q));
    }
    page.cursor = page.more ? page.entries.back().seq : std::max(cursor, head_seq);
    return page;
}

}  // namespace

Result<std::int64_t> ChangeLog::append(storage::Transaction& tx, const LogEntry& entry) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_,
        "INSERT INTO change_log (at, op, tbl, record_id, audience, fields, origin_device, "
        "origin_seq, echo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q->bind(1, entry.at).bind(2, entry.op).bind(3, entry.table).bind(4, entry.record_id);
    q->bind(5, entry.audience).bind(6, stored_fields(entry.fields));
    q->bind(7, entry.origin_device).bind(8, entry.origin_seq).bind(9, std::int64_t{entry.echo});
    FC_TRY(q->run());
    return db_->last_insert_rowid();
}

Result<std::int64_t> ChangeLog::head() {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT coalesce(max(seq), 0) FROM change_log"));
    FC_ASSIGN(bool row, q->step());
    return row ? q->int64(0) : 0;
}

Result<LogPage> ChangeLog::page(std::int64_t cursor, const LogReader& reader, int limit,
                                std::size_t max_bytes) {
    // The head is read first: entries past it are not in this page, so the
    // cursor returned when nothing remains never skips an entry.
    FC_ASSIGN(const std::int64_t head_seq, head());
    return read_page<LogEntry>(*db_, head_seq, cursor, reader, limit, max_bytes, entry_from);
}

Result<WirePage> ChangeLog::wire_page(std::int64_t cursor, const LogReader& reader, int limit,
                                      std::size_t max_bytes) {
    FC_ASSIGN(const std::int64_t head_seq, head());
    return read_page<WireEntry>(*db_, head_seq, cursor, reader, limit, max_bytes, wire_entry_from);
}

Result<std::int64_t> ChangeLog::count_after(std::int64_t cursor, const LogReader& reader) {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT COUNT(*) FROM (" + reader_ranges("seq", "") + ")"));
    q->bind(1, cursor).bind(3, reader.consultant_id).bind(5, reader.device_id);
    FC_ASSIGN(bool row, q->step());
    return row ? q->int64(0) : 0;
}

Result<bool> ChangeLog::any_after(std::int64_t cursor, const LogReader& reader) {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT EXISTS (" + reader_ranges("seq", "") + ")"));
    q->bind(1, cursor).bind(3, reader.consultant_id).bind(5, reader.device_id);
    FC_ASSIGN(bool row, q->step());
    return row && q->int64(0) != 0;
}

Result<std::vector<LogEntry>> ChangeLog::by_origin(const std::string& device_id) {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT " + std::string(kEntryColumns) +
        " FROM change_log WHERE origin_device = ? ORDER BY seq"));
    q->bind(1, device_id);
    std::vector<LogEntry> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        out.push_back(entry_from(*q));
    }
    return out;
}

}  // namespace forecourt::store
