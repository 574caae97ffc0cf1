// Writes the store makes itself — reference data, and records changing hands —
// each logged so the devices in scope pull it.
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/server/store_service.hpp"

namespace forecourt::sync {

using nlohmann::json;

Status StoreService::write_as_store(storage::Transaction& tx, const model::TableSpec& table,
                                    const std::string& id, const json& fields, Audiences& touched) {
    const Version version{store_->hlc().tick(), store_->identity().replica_id};
    std::vector<storage::FieldWrite> writes;
    store::LogEntry entry{0, store_->clock().now_ms(), std::string(store::kOpUpsert), std::string(table.name),
                          id, std::nullopt, {}, std::nullopt, 0};
    for (const auto& [field, value] : fields.items()) {
        writes.push_back(storage::FieldWrite{field, value, version});
        entry.fields.push_back(store::LoggedField{field, value, version});
    }
    FC_TRY(store_->records().put(tx, table, id, store_->identity().store_id, "", writes));
    FC_TRY(store_->log().append(tx, entry));
    touched.insert(std::nullopt);
    return ok_status();
}

Status StoreService::log_snapshot(storage::Transaction& tx, const model::TableSpec& table,
                                  const std::string& id, const std::string& owner) {
    FC_ASSIGN(auto row, store_->records().read(table, id));
    if (!row) return ok_status();
    const json& versions = (*row)["versions"];
    store::LogEntry entry{0, store_->clock().now_ms(), std::string(store::kOpUpsert), std::string(table.name),
                          id, owner, {}, std::nullopt, 0};
    const bool history = table.kind == model::TableKind::append_only;
    for (const auto& spec : table.fields) {
        const std::string field(spec.name);
        auto v = versions.find(history ? "*" : field);
        if (v == versions.end() || !v->is_string()) continue;
        auto version = Version::parse(v->get_ref<const std::string&>());
        if (version) entry.fields.push_back(store::LoggedField{field, (*row)[field], std::move(*version)});
    }
    FC_TRY(store_->log().append(tx, entry));
    return ok_status();
}

Result<ConsultantInfo> StoreService::consultant(const std::string& id) {
    FC_ASSIGN(auto row, store_->records().read(*model::find_table("consultants"), id));
    if (!row)
        return make_error(ErrorCode::not_found, "no consultant with id " + id, ErrorDomain::sync);
    const json& r = *row;
    ConsultantInfo c;
    c.id = id;
    c.name = r["name"].is_string() ? r["name"].get<std::string>() : "";
    if (r["phone"].is_string()) c.phone = r["phone"].get<std::string>();
    c.role = r["role"].is_string() ? r["role"].get<std::string>() : "consultant";
    c.active = !r["active"].is_boolean() || r["active"].get<bool>();
    return c;
}

}  // namespace forecourt::sync
