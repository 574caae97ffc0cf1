// POST /v1/admin/handover: a manager moves customers, with their vehicles,
// follow-ups and history, from one consultant to another, atomically. The new
// owner's tablets receive the full records, the old owner's tablets purge them.
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/server/store_service.hpp"

namespace forecourt::sync {

using nlohmann::json;

namespace {

Result<std::vector<std::string>> customers_to_move(store::StoreDatabase& store, const HandoverRequest& r) {
    if (!r.customers) return store.scope().customers_owned_by(r.from);
    const auto& customers = *model::find_table("customers");
    for (const auto& id : *r.customers) {
        FC_ASSIGN(auto owner, store.scope().owner_of(customers, id));
        if (!owner || *owner != r.from)
            return make_error(ErrorCode::invalid_argument,
                              "customer " + id + " is not in the book of consultant " + r.from,
                              ErrorDomain::sync);
    }
    return *r.customers;
}

}  // namespace

Result<Response> StoreService::handover(const HandoverRequest& request) {
    FC_ASSIGN(auto from, consultant(request.from));
    FC_ASSIGN(auto to, consultant(request.to));
    if (!to.active)
        return make_error(ErrorCode::invalid_state,
                          to.name + " is deactivated; hand the customers to an active consultant",
                          ErrorDomain::sync);
    FC_ASSIGN(auto customers, customers_to_move(*store_, request));
    const auto& customer_table = *model::find_table("customers");
    FC_ASSIGN(auto tx, storage::Transaction::begin(store_->db()));
    for (const auto& id : customers) {
        std::vector<store::RecordRef> records{store::RecordRef{&customer_table, id}};
        FC_ASSIGN(auto children, store_->scope().children_of(id));
        records.insert(records.end(), children.begin(), children.end());
        for (const auto& r : records) {
            FC_ASSIGN(auto previous, store_->scope().owner_of(*r.table, r.id));
            FC_TRY(store_->records().set_owner(tx, *r.table, r.id, to.id));
            FC_TRY(log_snapshot(tx, *r.table, r.id, to.id));
            store::LogEntry purge{0, store_->clock().now_ms(), std::string(store::kOpPurge),
                                  std::string(r.table->name), r.id, previous.value_or(from.id),
                                  {}, std::nullopt, 0};
            FC_TRY(store_->log().append(tx, purge));
        }
    }
    FC_TRY(store_->journal().audit(tx, store_->clock().now_ms(), "admin", "handover",
                                   {{"from", from.id}, {"to", to.id}, {"customers", customers.size()}}));
    FC_TRY(tx.commit());
    FC_TRY(queue_pokes(Audiences{from.id, to.id}, ""));
    json out = new_message();
    out["moved"] = customers.size();
    return Response{200, dump_json(out)};
}

}  // namespace forecourt::sync
