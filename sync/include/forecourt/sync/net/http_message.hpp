// Plain HTTP request/response types that the store server's transport hands to the
// sync request handler, so the handler never sees sockets, TLS or Boost.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace forecourt::sync::net {

struct HttpRequest {
    std::string method;        // "GET", "POST", ...
    std::string target;        // path and query, e.g. "/v1/sync?cursor=42"
    std::string bearer_token;  // from "Authorization: Bearer ..."; empty when absent
    std::string body;
    std::string remote;  // peer address and port, e.g. "127.0.0.1:53422"
};

struct HttpResponse {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    // Close the connection without answering: the client sees it cut after its
    // request. For shedding a misbehaving client, and for fault injection.
    bool drop_connection = false;
};

// Maps one request to its response. May run on any server thread, concurrently.
using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;

// {"error":{"code":"<code>","message":"<message>"}} with the given status; the
// transport uses it for the answers it gives itself (413, 401, 500, 503).
HttpResponse json_error_response(int status, std::string_view code, std::string_view message);

}  // namespace forecourt::sync::net
