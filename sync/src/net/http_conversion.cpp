// Conversions between Beast's HTTP messages and the transport's plain types.
#include "http_conversion.hpp"

#include <boost/beast/core/string.hpp>

namespace forecourt::sync::net {

std::string bearer_token_of(const BeastRequest& request) {
    auto field = request.find(http::field::authorization);
    if (field == request.end()) return {};
    std::string_view value(field->value().data(), field->value().size());
    constexpr std::string_view kScheme = "bearer ";
    if (value.size() <= kScheme.size() ||
        !beast::iequals(value.substr(0, kScheme.size()), kScheme)) {
        return {};
    }
    value.remove_prefix(kScheme.size());
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return std::string(value);
}

HttpRequest to_plain_request(BeastRequest&& request, std::string remote) {
    HttpRequest plain;
    plain.method = std::string(request.method_string());
    plain.target = std::string(request.target());
    plain.bearer_token = bearer_token_of(request);
    plain.body = std::move(request.body());
    plain.remote = std::move(remote);
    return plain;
}

BeastResponse to_beast_response(HttpResponse&& response, unsigned version, bool keep_alive) {
    BeastResponse out;
    out.version(version);
    out.result(static_cast<unsigned>(response.status));
    out.set(http::field::server, "forecourt-store");
    out.set(http::field::content_type, response.content_type);
    // Responses carry customers' personal data; nothing in between may keep them.
    out.set(http::field::cache_control, "no-store");
    out.keep_alive(keep_alive);
    out.body() = std::move(response.body);
    out.prepare_payload();
    return out;
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    std::string host = address.to_string();
    if (address.is_v6()) host = "[" + host + "]";
    return host + ":" + std::to_string(endpoint.port());
}

}  // namespace forecourt::sync::net
