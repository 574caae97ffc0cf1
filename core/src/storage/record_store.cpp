// Field-level writes of synced records with their versions.
#include "forecourt/core/storage/record_store.hpp"

#include <algorithm>

#include "forecourt/core/model/date.hpp"

namespace forecourt::storage {
namespace {

using model::FieldType;
using nlohmann::json;

// A real calendar day: 2025-02-30 is refused here too, since changes applied
// by sync reach the tables only through this check.
bool is_date(const std::string& s) { return model::Date::parse(s).has_value(); }

// `value` outlives the statement's use (a text is bound without a copy).
void bind_value(Statement& st, int index, FieldType type, const json& value) {
    if (value.is_null()) {
        st.bind_null(index);
        return;
    }
    switch (type) {
        case FieldType::text:
        case FieldType::date: st.bind_unowned(index, value.get_ref<const std::string&>()); break;
        case FieldType::integer:
        case FieldType::instant: st.bind(index, value.get<std::int64_t>()); break;
        case FieldType::boolean: st.bind(index, value.get<bool>() ? 1 : 0); break;
        case FieldType::text_array: st.bind(index, value.dump()); break;
    }
}

RecordVersions parse_versions(const std::string& text) {
    RecordVersions out;
    auto parsed = json::parse(text, nullptr, false);
    if (!parsed.is_object()) return out;
    for (auto& [field, v] : parsed.items()) {
        if (!v.is_string()) continue;
        if (auto version = Version::parse(v.get<std::string>())) out.emplace(field, *version);
    }
    return out;
}

}  // namespace

json column_json(Statement& st, int column, FieldType type) {
    if (st.is_null(column)) return nullptr;
    switch (type) {
        case FieldType::text:
        case FieldType::date: return st.text(column);
        case FieldType::integer:
        case FieldType::instant: return st.int64(column);
        case FieldType::boolean: return st.int64(column) != 0;
        case FieldType::text_array: {
            auto parsed = json::parse(st.text(column), nullptr, false);
            return parsed.is_discarded() ? json::array() : parsed;
        }
    }
    return nullptr;
}

Status validate_field_value(const model::FieldSpec& spec, const json& value) {
    auto bad = [&](std::string_view expected) {
        return make_error(ErrorCode::invalid_argument,
                          std::string(spec.name) + " must be " + std::string(expected));
    };
    if (value.is_null()) return ok_status();
    switch (spec.type) {
        case FieldType::text:
            if (!value.is_string()) return bad("a string");
            break;
        case FieldType::date:
            if (!value.is_string() || !is_date(value.get<std::string>()))
                return bad("a date YYYY-MM-DD");
            break;
        case FieldType::integer:
        case FieldType::instant:
            if (!value.is_number_integer()) return bad("an integer");
            break;
        case FieldType::boolean:
            if (!value.is_boolean()) return bad("true or false");
            break;
        case FieldType::text_array:
            if (!value.is_array()) return bad("an array of strings");
            for (const auto& e : value)
                if (!e.is_string()) return bad("an array of strings");
            break;
    }
    return ok_status();
}

Result<std::optional<RecordState>> RecordStore::state(const model::TableSpec& table,
                                                      const std::string& id) {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT owner_id, versions FROM " + std::string(table.name) +
                                               " WHERE id = ?"));
    q->bind(1, id);
    FC_ASSIGN(bool row, q->step());
    if (!row) return std::optional<RecordState>{};
    return std::optional<RecordState>{RecordState{q->opt_text(0).value_or(""), parse_versions(q->text(1))}};
}

Result<std::optional<RecordVersions>> RecordStore::versions(const model::TableSpec& table,
                                                            const std::string& id) {
    FC_ASSIGN(auto held, state(table, id));
    if (!held) return std::optional<RecordVersions>{};
    return std::optional<RecordVersions>{std::move(held->versions)};
}

// The upsert of one table and one set of fields: built once, then looked up.
const std::string& RecordStore::upsert_sql(const model::TableSpec& table,
                                           const std::vector<const model::FieldSpec*>& specs,
                                           Owner owner) {
    std::string key(table.name);
    key += owner == Owner::take ? '+' : '=';
    for (const auto* spec : specs) {
        key += std::to_string(spec - table.fields.data());  // the field's place in the table
        key += ',';
    }
    auto [it, fresh] = upsert_sql_.try_emplace(std::move(key));
    if (!fresh) return it->second;
    std::string columns = "id, store_id, owner_id, versions";
    std::string values = "?1, ?2, ?3, ?4";
    // json_patch merges the written fields' versions into the stored object.
    std::string updates = "versions = json_patch(versions, excluded.versions)";
    if (owner == Owner::take) updates += ", owner_id = excluded.owner_id";
    int index = 5;
    for (const auto* spec : specs) {
        const std::string name(spec->name);
        columns += ", " + name;
        values += ", ?" + std::to_string(index++);
        updates += ", " + name + " = excluded." + name;
    }
    it->second = "INSERT INTO " + std::string(table.name) + " (" + columns + ") VALUES (" + values +
                 ") ON CONFLICT(id) DO UPDATE SET " + updates;
    return it->second;
}

namespace {

// A version as a JSON string. Its hex part needs no escaping and a replica id
// seldom does (the escaping is left to the JSON library when it might).
std::string quoted_version(const Version& version) {
    std::string text = version.to_string();
    const bool plain = std::none_of(text.begin(), text.end(), [](char c) {
        return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
    });
    if (!plain) return json(text).dump();
    text.insert(text.begin(), '"');
    text += '"';
    return text;
}

// {"field": "version", ...} of the written fields (an append-only record
// keeps one, "*"), keys in order like any JSON object SQLite stores here. One
// edit stamps all its fields alike: each distinct version is quoted once.
std::string written_versions(const model::TableSpec& table, const std::vector<FieldWrite>& writes) {
    const bool append_only = table.kind == model::TableKind::append_only;
    // (field, version) in field order; put() lets each field through once.
    std::vector<std::pair<std::string_view, const Version*>> latest;
    if (append_only && !writes.empty()) latest.emplace_back("*", &writes.back().version);
    if (!append_only) {
        latest.reserve(writes.size());
        for (const auto& w : writes) latest.emplace_back(w.field, &w.version);
        std::sort(latest.begin(), latest.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    std::string out = "{";
    const Version* previous = nullptr;
    std::string quoted;
    for (const auto& [field, version] : latest) {
        if (!previous || !(*previous == *version)) quoted = quoted_version(*version);
        previous = version;
        if (out.size() > 1) out += ',';
        out += '"';
        out += field;  // a schema field name (put checks it): nothing to escape
        out += "\":";
        out += quoted;
    }
    out += '}';
    return out;
}

}  // namespace

Status RecordStore::put(Transaction& tx, const model::TableSpec& table, const std::string& id,
                        const std::string& store_id, const std::string& owner_id,
                        const std::vector<FieldWrite>& writes, Owner owner) {
    (void)tx;  // proves the caller holds the write transaction
    std::vector<const model::FieldSpec*> specs;
    specs.reserve(writes.size());
    for (const auto& w : writes) {
        const auto* spec = table.field(w.field);
        if (!spec)
            return make_error(ErrorCode::invalid_argument,
                              std::string(table.name) + " has no field '" + w.field + "'");
        FC_TRY(validate_field_value(*spec, w.value));
        if (std::find(specs.begin(), specs.end(), spec) != specs.end())
            return make_error(ErrorCode::invalid_argument,
                              std::string(table.name) + "." + w.field + " is written twice in one change");
        specs.push_back(spec);
    }
    const std::string versions = written_versions(table, writes);
    FC_ASSIGN(auto q, Query::prepare(*db_, upsert_sql(table, specs, owner)));
    q->bind_unowned(1, id).bind_unowned(2, store_id).bind_unowned(3, owner_id).bind_unowned(4, versions);
    for (std::size_t i = 0; i < writes.size(); ++i)
        bind_value(*q, static_cast<int>(i) + 5, specs[i]->type, writes[i].value);
    FC_TRY(q->run());
    if (table.name == "customers") {
        for (const auto& w : writes)
            if (w.field == "phones") FC_TRY(refresh_phone_index(id, w.value));
    }
    return ok_status();
}

Status RecordStore::set_owner(Transaction& tx, const model::TableSpec& table,
                              const std::string& id, const std::string& owner_id) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_, "UPDATE " + std::string(table.name) +
                                               " SET owner_id = ? WHERE id = ?"));
    q->bind(1, owner_id).bind(2, id);
    return q->run();
}

Result<std::optional<json>> RecordStore::read(const model::TableSpec& table, const std::string& id) {
    std::string sql = "SELECT id, store_id, owner_id, versions";
    for (const auto& f : table.fields) sql += ", " + std::string(f.name);
    sql += " FROM " + std::string(table.name) + " WHERE id = ?";
    FC_ASSIGN(auto q, Query::prepare(*db_, sql));
    q->bind(1, id);
    FC_ASSIGN(bool row, q->step());
    if (!row) return std::optional<json>{};
    json out = {{"id", q->text(0)}, {"store_id", q->text(1)}, {"owner_id", q->opt_text(2).value_or("")}};
    out["versions"] = json::parse(q->text(3), nullptr, false);
    int column = 4;
    for (const auto& f : table.fields) out[std::string(f.name)] = column_json(*q, column++, f.type);
    return std::optional<json>{std::move(out)};
}

Status RecordStore::purge(Transaction& tx, const model::TableSpec& table, const std::string& id) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_, "DELETE FROM " + std::string(table.name) + " WHERE id = ?"));
    q->bind(1, id);
    FC_TRY(q->run());
    if (table.name == "customers") return refresh_phone_index(id, json::array());
    return ok_status();
}

Status RecordStore::adopt_identity(Transaction& tx, const model::TableSpec& table,
                                  const std::string& from_owner, const std::string& to_owner,
                                  const std::string& store_id) {
    (void)tx;
    const std::string name(table.name);
    FC_ASSIGN(auto q, Query::prepare(*db_, "UPDATE " + name + " SET store_id = ?1, owner_id = "
                                               "CASE WHEN owner_id = ?2 THEN ?3 ELSE owner_id END"));
    q->bind(1, store_id).bind(2, from_owner).bind(3, to_owner);
    FC_TRY(q->run());
    if (!table.field("consultant_id")) return ok_status();
    FC_ASSIGN(auto c, Query::prepare(*db_, "UPDATE " + name + " SET consultant_id = ?2 "
                                               "WHERE consultant_id = ?1"));
    c->bind(1, from_owner).bind(2, to_owner);
    return c->run();
}

Status RecordStore::refresh_phone_index(const std::string& customer_id, const json& phones) {
    {
        FC_ASSIGN(auto del, Query::prepare(*db_, "DELETE FROM customer_phones WHERE customer_id = ?"));
        del->bind(1, customer_id);
        FC_TRY(del->run());
    }
    if (!phones.is_array()) return ok_status();
    FC_ASSIGN(auto ins, Query::prepare(*db_, "INSERT OR IGNORE INTO customer_phones (phone, customer_id) VALUES (?, ?)"));
    for (const auto& p : phones) {
        if (!p.is_string()) continue;
        ins->bind(1, p.get<std::string>()).bind(2, customer_id);
        FC_TRY(ins->run());
        ins->reset();
    }
    return ok_status();
}

}  // namespace forecourt::storage
