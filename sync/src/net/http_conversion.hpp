// Conversions between Beast's HTTP messages and the transport's plain types.
#pragma once

#include <string>
#include <string_view>

#include "beast_types.hpp"
#include "forecourt/sync/net/http_message.hpp"

namespace forecourt::sync::net {

// The token of an "Authorization: Bearer <token>" header; empty when there is none.
std::string bearer_token_of(const BeastRequest& request);

HttpRequest to_plain_request(BeastRequest&& request, std::string remote);

BeastResponse to_beast_response(HttpResponse&& response, unsigned version, bool keep_alive);

// The target without its query string, for logs.
std::string_view path_of(std::string_view target);

// "127.0.0.1:5000" or "[::1]:5000".
std::string endpoint_text(const tcp::endpoint& endpoint);

}  // namespace forecourt::sync::net
