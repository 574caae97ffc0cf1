// The JSON error body shared by every answer the transport gives on its own.
#include <nlohmann/json.hpp>

#include "forecourt/sync/net/http_message.hpp"

namespace forecourt::sync::net {

HttpResponse json_error_response(int status, std::string_view code, std::string_view message) {
    nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
    HttpResponse response;
    response.status = status;
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

}  // namespace forecourt::sync::net
