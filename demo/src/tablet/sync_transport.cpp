// The store server's URL and the HTTPS transport of the tablet's sync client.
#include "tablet/sync_transport.hpp"

#include <charconv>

#include "forecourt/sync/net/certificate.hpp"

namespace forecourt::cli {
namespace {

Error bad_url(const std::string& url) {
    return make_error(ErrorCode::invalid_argument,
                      "the server must be given as https://HOST:PORT (got '" + url + "')");
}

}  // namespace

Result<sync::net::ClientOptions> connection_for(const std::string& server_url,
                                                const std::string& fingerprint) {
    constexpr std::string_view kScheme = "https://";
    if (!server_url.starts_with(kScheme)) return bad_url(server_url);
    std::string authority = server_url.substr(kScheme.size());
    if (authority.ends_with('/')) authority.pop_back();
    sync::net::ClientOptions options;
    const auto colon = authority.rfind(':');
    const bool has_port = colon != std::string::npos && authority.find(']', colon) == std::string::npos;
    options.host = has_port ? authority.substr(0, colon) : authority;
    if (has_port) {
        unsigned port = 0;
        const char* first = authority.data() + colon + 1;
        const char* last = authority.data() + authority.size();
        auto [end, ec] = std::from_chars(first, last, port);
        if (ec != std::errc{} || end != last || port == 0 || port > 65535) return bad_url(server_url);
        options.port = static_cast<std::uint16_t>(port);
    }
    if (options.host.size() > 2 && options.host.front() == '[')
        options.host = options.host.substr(1, options.host.size() - 2);
    if (options.host.empty() || options.host.find('/') != std::string::npos) return bad_url(server_url);
    FC_ASSIGN(options.pinned_fingerprint, sync::net::normalize_fingerprint(fingerprint));
    return options;
}


}  // namespace forecourt::cli
