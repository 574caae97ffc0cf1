// Paging through a consultant's scope on the store server, record by record.
#include "forecourt/core/store/scope_snapshot.hpp"

#include <algorithm>

#include "forecourt/core/json_text.hpp"
#include "forecourt/core/model/record_schema.hpp"
#include "forecourt/core/storage/record_store.hpp"

namespace forecourt::store {

using nlohmann::json;
using storage::Query;

namespace {

// Reference data is every device's; the other tables' records are their owner's.
bool store_wide(const model::TableSpec& table) { return table.kind == model::TableKind::reference; }

// Where a position's table stands among the synced tables (0 when not begun).
std::size_t table_index(std::string_view table) {
    const auto& tables = model::synced_tables();
    for (std::size_t i = 0; i < tables.size(); ++i)
        if (tables[i].name == table) return i;
    return 0;
}

// ?1 the owner (left unbound for reference data), ?2 the last id sent, ?3 the limit.
std::string page_sql(const model::TableSpec& table) {
    std::string sql = "SELECT id, versions";
    for (const auto& f : table.fields) sql += ", " + std::string(f.name);
    sql += " FROM " + std::string(table.name) + " WHERE ";
    if (!store_wide(table)) sql += "owner_id = ?1 AND ";
    return sql + "id > ?2 ORDER BY id LIMIT ?3";
}

// A field's column as JSON text.
void append_column(std::string& out, storage::Statement& st, int column, model::FieldType type) {
    if (st.is_null(column)) {
        out += "null";
        return;
    }
    switch (type) {
        case model::FieldType::text:
        case model::FieldType::date: append_json_string(out, st.text_view(column)); return;
        case model::FieldType::integer:
        case model::FieldType::instant: out += std::to_string(st.int64(column)); return;
        case model::FieldType::boolean: out += st.int64(column) != 0 ? "true" : "false"; return;
        case model::FieldType::text_array:
            out += storage::column_json(st, column, type).dump(-1, ' ', false, json::error_handler_t::replace);
            return;
    }
}

// A row's versions column ({"<field>": "<version>", …}) read into a list of
// pairs that the next row reuses: a page of 2,000 rows used to build 2,000
// documents (a map each) only to look a few strings up in them. As in such a
// document, a later duplicate member wins, and a member whose value is not a
// string has no version.
class VersionsColumn final : public json::json_sax_t {
public:
    // False when the text is not a JSON object (the row then has no versions).
    bool read(std::string_view text) {
        used_ = 0;
        depth_ = 0;
        has_key_ = false;
        object_ = false;
        return json::sax_parse(text.begin(), text.end(), this, json::input_format_t::json, true, false) &&
               object_;
    }
    const std::string* find(std::string_view member) const {
        for (std::size_t i = used_; i-- > 0;)
            if (members_[i].first == member) return &members_[i].second;
        return nullptr;
    }

    bool null() override { return scalar(); }
    bool boolean(bool) override { return scalar(); }
    bool number_integer(number_integer_t) override { return scalar(); }
    bool number_unsigned(number_unsigned_t) override { return scalar(); }
    bool number_float(number_float_t, const string_t&) override { return scalar(); }
    bool binary(binary_t&) override { return scalar(); }
    bool string(string_t& value) override {
        if (depth_ == 1 && has_key_) {
            if (used_ == members_.size()) members_.emplace_back();
            members_[used_].first.assign(key_);
            members_[used_].second.assign(value);
            ++used_;
        }
        return scalar();
    }
    bool key(string_t& name) override {
        if (depth_ == 1) key_.assign(name), has_key_ = true;
        return true;
    }
    bool start_object(std::size_t) override { return open(true); }
    bool start_array(std::size_t) override { return open(false); }
    bool end_object() override { return --depth_, true; }
    bool end_array() override { return --depth_, true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false;
    }

private:
    bool scalar() {
        if (depth_ == 1) has_key_ = false;
        return true;
    }
    bool open(bool object) {
        if (depth_ == 0) object_ = object;
        scalar();
        ++depth_;
        return true;
    }

    std::vector<std::pair<std::string, std::string>> members_;
    std::size_t used_ = 0;
    std::string key_;
    int depth_ = 0;
    bool has_key_ = false;
    bool object_ = false;
};

// The fields a record's row holds a version for, each with its version's
// text (an append-only record's one version, "*"); a field whose version does
// not read is left out, as the store never wrote it.
struct WrittenField {
    const model::FieldSpec* spec;
    std::string_view version;  // its text, in the versions column just read
};
using Written = std::vector<WrittenField>;
Written written_fields(VersionsColumn& versions, std::string_view text, const model::TableSpec& table) {
    Written out;
    if (!versions.read(text)) return out;
    const bool history = table.kind == model::TableKind::append_only;
    const std::string* checked = nullptr;  // one edit stamps its fields alike: read each version once
    for (const auto& spec : table.fields) {
        const std::string* v = versions.find(history ? std::string_view("*") : spec.name);
        if (!v) continue;
        if ((!checked || *checked != *v) && !Version::parse(*v)) continue;
        checked = v;
        out.push_back(WrittenField{&spec, *v});
    }
    return out;
}

// A record's row as the fields of a log entry of its whole state, written
// straight from its columns in the layout the change log stores (stored_fields() in change_log.cpp).
std::string row_wire_fields(storage::Statement& st, const model::TableSpec& table, VersionsColumn& versions) {
    const Written written = written_fields(versions, st.text_view(1), table);
    const std::string_view* common = most_common_version(written);
    std::string out = R"({"fields":{)";
    for (const auto& w : written) {
        if (&w != &written.front()) out += ',';
        append_json_string(out, w.spec->name);
        out += ':';
        append_column(out, st, 2 + static_cast<int>(w.spec - table.fields.data()), w.spec->type);
    }
    out += '}';
    if (common) {
        out += R"(,"version":)";
        append_json_string(out, *common);
    }
    bool first = true;
    for (const auto& w : written) {
        if (w.version == *common) continue;
        out += first ? R"(,"versions":{)" : ",";
        first = false;
        append_json_string(out, w.spec->name);
        out += ':';
        append_json_string(out, w.version);
    }
    if (!first) out += '}';
    out += '}';
    return out;
}

}  // namespace

bool snapshot_table_known(std::string_view table) {
    if (table.empty()) return true;
    const auto& tables = model::synced_tables();
    return std::any_of(tables.begin(), tables.end(), [&](const auto& t) { return t.name == table; });
}

Result<SnapshotPage> ScopeSnapshot::page(const std::string& consultant_id, const SnapshotPosition& from,
                                         int limit, std::size_t max_bytes) {
    const auto& tables = model::synced_tables();
    SnapshotPage out;
    SnapshotPosition at = from;
    std::size_t bytes = 0;
    VersionsColumn versions;
    for (std::size_t i = table_index(from.table); i < tables.size(); ++i) {
        const auto& table = tables[i];
        FC_ASSIGN(auto q, Query::prepare(*db_, page_sql(table)));
        if (!store_wide(table)) q->bind(1, consultant_id);
        q->bind(2, table.name == from.table ? from.after : std::string());
        q->bind(3, static_cast<std::int64_t>(limit) - static_cast<std::int64_t>(out.entries.size()) + 1);
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            const bool full = static_cast<int>(out.entries.size()) >= limit ||
                              (!out.entries.empty() && bytes >= max_bytes);
            if (full) {
                out.next = at;
                return out;
            }
            WireEntry e;
            e.seq = ++at.sent;
            e.op = std::string(kOpUpsert);
            e.table = std::string(table.name);
            e.record_id = q->text(0);
            if (!store_wide(table)) e.audience = consultant_id;
            e.fields = row_wire_fields(*q, table, versions);
            bytes += e.fields.size();
            at.table = e.table;
            at.after = e.record_id;
            out.entries.push_back(std::move(e));
        }
    }
    return out;
}

Result<std::int64_t> ScopeSnapshot::count_after(const std::string& consultant_id,
                                                const SnapshotPosition& from) {
    const auto& tables = model::synced_tables();
    std::int64_t count = 0;
    for (std::size_t i = table_index(from.table); i < tables.size(); ++i) {
        const auto& table = tables[i];
        FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT COUNT(*) FROM " + std::string(table.name) + " WHERE " +
                                                   (store_wide(table) ? "" : "owner_id = ?1 AND ") + "id > ?2"));
        if (!store_wide(table)) q->bind(1, consultant_id);
        q->bind(2, table.name == from.table ? from.after : std::string());
        FC_ASSIGN(bool row, q->step());
        if (row) count += q->int64(0);
    }
    return count;
}

}  // namespace forecourt::store
