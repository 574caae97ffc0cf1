// Enrolling the tablet's book with a store server.
#include "forecourt/sync/client/sync_client.hpp"
#include "forecourt/sync/codec.hpp"

namespace forecourt::sync {

Request SyncClient::enrol_request(const std::string& code, const std::string& device_name) const {
    EnrolRequest request{code, device_name, book_->identity().replica_id};
    return Request{"POST", "/v1/enrol", "", encode(request)};
}

Result<EnrolResponse> SyncClient::complete_enrolment(const Response& response,
                                                     const std::string& device_name,
                                                     const std::string& server_url,
                                                     const std::string& server_pin) {
    if (response.status != 200) return decode_error(response.status, response.body);
    FC_ASSIGN(auto enrolled, decode_enrol_response(response.body, options_.limits));
    if (enrolled.device_id != book_->identity().replica_id)
        return make_error(ErrorCode::protocol, "the store enrolled another device than this book",
                          ErrorDomain::sync);
    FC_ASSIGN(auto state, state_.load());
    if (!state.store_id.empty() && state.store_id != enrolled.store_id)
        return make_error(ErrorCode::invalid_state,
                          "this book belongs to another store; enrol with a new book",
                          ErrorDomain::sync);
    store::Enrolment e{server_url,         server_pin,         enrolled.device_id,
                       device_name,        enrolled.token,     enrolled.store_id,
                       enrolled.consultant_id, enrolled.consultant_name, book_->clock().now_ms()};
    FC_ASSIGN(auto tx, storage::Transaction::begin(book_->db()));
    FC_TRY(state_.save_enrolment(tx, *book_, e));
    FC_TRY(tx.commit());
    // The open book writes as the store's from now on.
    FC_TRY(book_->reload_identity());
    return enrolled;
}

}  // namespace forecourt::sync
