// The sync client's Transport over pinned HTTPS, with its second lane.
#include "forecourt/sync/net/https_transport.hpp"

namespace forecourt::sync::net {

HttpsTransport::HttpsTransport(ClientOptions options) : HttpsTransport(std::move(options), false) {}

HttpsTransport::HttpsTransport(ClientOptions options, bool is_lane)
    : options_(options), client_(std::move(options)), is_lane_(is_lane) {}

HttpsTransport::~HttpsTransport() = default;

Result<Response> HttpsTransport::send(const Request& request) {
    FC_ASSIGN(auto answer,
              client_.request(request.method, request.target, request.bearer_token, request.body));
    return Response{answer.status, std::move(answer.body)};
}

Transport* HttpsTransport::second_lane() {
    if (is_lane_) return nullptr;
    std::lock_guard lock(lane_mutex_);
    if (!lane_) lane_.reset(new HttpsTransport(options_, true));
    return lane_.get();
}

}  // namespace forecourt::sync::net
