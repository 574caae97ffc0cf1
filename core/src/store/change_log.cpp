// Appending to and paging through the store's change log.
#include "forecourt/core/store/change_log.hpp"

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

// An entry's fields are stored as [version, {field: value}, {field: version}]:
// the version most of them share once, then only the versions that differ
// (the wire's shape, sync/PROTOCOL.md). Entries written before this layout
// are objects of {field: {"value", "version"}} and are still read.
std::string stored_fields(const std::vector<LoggedField>& fields) {
    const Version* common = most_common_version(fields);
    json values = json::object();
    json versions = json::object();
    for (const auto& f : fields) {
        values[f.field] = f.value;
        if (!(f.version == *common)) versions[f.field] = f.version.to_string();
    }
    json stored = json::array({common ? common->to_string() : std::string(), std::move(values),
                               std::move(versions)});
    return stored.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Fields whose version cannot be read are left out, as the store never wrote them.
std::vector<LoggedField> fields_from(std::string_view text) {
    std::vector<LoggedField> out;
    json stored = json::parse(text, nullptr, false);
    if (stored.is_array() && stored.size() == 3 && stored[0].is_string() && stored[1].is_object() &&
        stored[2].is_object()) {
        const auto common = Version::parse(stored[0].get_ref<const std::string&>());
        for (auto& [field, value] : stored[1].items()) {
            auto own = stored[2].find(field);
            auto version = own == stored[2].end() ? common
                           : own->is_string()     ? Version::parse(own->get_ref<const std::string&>())
                                                  : std::nullopt;
            if (version) out.push_back(LoggedField{field, std::move(value), std::move(*version)});
        }
        return out;
    }
    if (!stored.is_object()) return out;
    for (auto& [field, state] : stored.items()) {  // the earlier layout
        if (!state.is_object()) continue;
        auto version = Version::parse(state.value("version", ""));
        if (version) out.push_back(LoggedField{field, state.value("value", json()), std::move(*version)});
    }
    return out;
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
    FC_ASSIGN(std::int64_t head_seq, head());
    FC_ASSIGN(auto q, Query::prepare(*db_, reader_ranges(kEntryColumns, " AND seq <= ?2") +
                                               " ORDER BY seq LIMIT ?4"));
    q->bind(1, cursor).bind(2, head_seq).bind(3, reader.consultant_id).bind(4, limit + 1);
    q->bind(5, reader.device_id);
    LogPage page;
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
        bytes += q->text(6).size();
        page.entries.push_back(entry_from(*q));
    }
    page.cursor = page.more ? page.entries.back().seq : std::max(cursor, head_seq);
    return page;
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
