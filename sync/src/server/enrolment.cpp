// POST /v1/enrol and GET /v1/health on the store server.
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/server/store_service.hpp"

namespace forecourt::sync {

Result<Response> StoreService::enrol(const EnrolRequest& request) {
    const auto now = store_->clock().now_ms();
    EnrolResponse out;
    FC_ASSIGN(auto tx, storage::Transaction::begin(store_->db()));
    FC_ASSIGN(auto consultant_id, store_->devices().redeem_code(tx, request.code, request.replica_id, now));
    FC_ASSIGN(auto who, consultant(consultant_id));
    if (!who.active)
        return make_error(ErrorCode::forbidden,
                          who.name + " was deactivated; a manager must reactivate the consultant first",
                          ErrorDomain::sync);
    FC_ASSIGN(out.token, store_->devices().enrol(tx, request.replica_id, consultant_id,
                                                 request.device_name, now));
    FC_TRY(store_->journal().audit(tx, now, "device:" + request.replica_id, "enrol",
                                   {{"device_id", request.replica_id}, {"consultant_id", consultant_id}}));
    FC_TRY(tx.commit());
    out.device_id = request.replica_id;
    out.consultant_id = consultant_id;
    out.consultant_name = who.name;
    out.store_id = store_->identity().store_id;
    out.server_time = now;
    return Response{200, encode(out)};
}

}  // namespace forecourt::sync
