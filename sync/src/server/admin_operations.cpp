// The admin API on the store server: consultants, vehicle models, enrolment
// codes, and what the manager reviews (devices, conflicts, review queue).
#include <limits>

#include "forecourt/core/uuid.hpp"
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/server/store_service.hpp"
#include "service_support.hpp"

namespace forecourt::sync {

using nlohmann::json;

namespace {

json optional_json(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

struct ListWindow {
    std::int64_t after = 0;
    int limit = 100;
};

Result<ListWindow> list_window(std::string_view query) {
    FC_ASSIGN(auto after, detail::query_integer(query, "after", 0, 0, std::numeric_limits<std::int64_t>::max()));
    FC_ASSIGN(auto limit, detail::query_integer(query, "limit", 100, 1, 500));
    return ListWindow{after, static_cast<int>(limit)};
}

}  // namespace

Result<Response> StoreService::add_consultant(const ConsultantInput& input) {
    const auto now = store_->clock().now_ms();
    const ConsultantInfo info{new_uuid_v7(now), input.name, input.phone, input.role, true};
    Audiences touched;
    FC_ASSIGN(auto tx, storage::Transaction::begin(store_->db()));
    FC_TRY(write_as_store(tx, *model::find_table("consultants"), info.id,
                          {{"name", info.name}, {"phone", optional_json(info.phone)},
                           {"role", info.role}, {"active", true}},
                          touched));
    FC_TRY(store_->journal().audit(tx, now, "admin", "consultant.add", {{"consultant_id", info.id}}));
    FC_TRY(store_->save_clock(tx));
    FC_TRY(tx.commit());
    FC_TRY(queue_pokes(touched, ""));
    json out = new_message();
    out["consultant"] = to_json(info);
    return Response{201, dump_json(out)};
}

Result<Response> StoreService::deactivate_consultant(const std::string& id) {
    FC_ASSIGN(auto info, consultant(id));
    Audiences touched;
    FC_ASSIGN(auto tx, storage::Transaction::begin(store_->db()));
    if (info.active)
        FC_TRY(write_as_store(tx, *model::find_table("consultants"), id, {{"active", false}}, touched));
    FC_ASSIGN(auto revoked, store_->devices().revoke_consultant(tx, id));
    FC_TRY(store_->journal().audit(tx, store_->clock().now_ms(), "admin", "consultant.deactivate",
                                   {{"consultant_id", id}, {"revoked_devices", revoked}}));
    FC_TRY(store_->save_clock(tx));
    FC_TRY(tx.commit());
    touched.insert(id);  // its revoked tablets come for their final push
    FC_TRY(queue_pokes(touched, ""));
    info.active = false;
    json out = new_message();
    out["consultant"] = to_json(info);
    out["revoked_devices"] = revoked;
    return Response{200, dump_json(out)};
}

Result<Response> StoreService::list_consultants() {
    std::vector<ConsultantInfo> all;
    FC_ASSIGN(auto ids, store_->scope().ids(*model::find_table("consultants")));
    for (const auto& id : ids) {
        FC_ASSIGN(auto c, consultant(id));
        all.push_back(std::move(c));
    }
    return Response{200, encode_consultants(all)};
}

Result<Response> StoreService::load_vehicle_models(const std::vector<VehicleModelInput>& models) {
    const auto now = store_->clock().now_ms();
    Audiences touched;
    json ids = json::array();
    FC_ASSIGN(auto tx, storage::Transaction::begin(store_->db()));
    for (const auto& m : models) {
        const std::string id = m.id.value_or(new_uuid_v7(now));
        json fields = {{"name", m.name}, {"brand", optional_json(m.brand)}, {"series", optional_json(m.series)}};
        fields["price"] = m.price ? json(*m.price) : json(nullptr);
        FC_TRY(write_as_store(tx, *model::find_table("vehicle_models"), id, fields, touched));
        ids.push_back(id);
    }
    FC_TRY(store_->journal().audit(tx, now, "admin", "vehicle_models.load", {{"count", models.size()}}));
    FC_TRY(store_->save_clock(tx));
    FC_TRY(tx.commit());
    FC_TRY(queue_pokes(touched, ""));
    json out = new_message();
    out["loaded"] = models.size();
    out["ids"] = std::move(ids);
    return Response{200, dump_json(out)};
}

Result<Response> StoreService::issue_code(const IssueCodeRequest& request) {
    FC_ASSIGN(auto who, consultant(request.consultant_id));
    if (!who.active)
        return make_error(ErrorCode::invalid_state, who.name + " is deactivated; no code can be issued",
                          ErrorDomain::sync);
    const auto now = store_->clock().now_ms();
    FC_ASSIGN(auto tx, storage::Transaction::begin(store_->db()));
    FC_ASSIGN(auto issued, store_->devices().issue_code(tx, who.id, now, limits_.enrolment_code_lifetime_ms));
    FC_TRY(store_->journal().audit(tx, now, "admin", "enrolment_code.issue", {{"consultant_id", who.id}}));
    FC_TRY(tx.commit());
    return Response{201, encode(issued)};
}

Result<Response> StoreService::list_devices() {
    FC_ASSIGN(auto devices, store_->devices().list());
    return Response{200, encode_devices(devices)};
}

Result<Response> StoreService::list_conflicts(std::string_view query) {
    FC_ASSIGN(auto window, list_window(query));
    FC_ASSIGN(auto rows, store_->journal().conflicts(window.after, window.limit));
    return Response{200, encode_conflicts(rows, rows.empty() ? window.after : rows.back().id)};
}

Result<Response> StoreService::list_review(std::string_view query) {
    FC_ASSIGN(auto window, list_window(query));
    FC_ASSIGN(auto rows, store_->journal().review(window.after, window.limit));
    return Response{200, encode_review(rows, rows.empty() ? window.after : rows.back().id)};
}

}  // namespace forecourt::sync
