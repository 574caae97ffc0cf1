// Wires the sans-I/O store service into the network front.
#include "server/store_host.hpp"

#include <charconv>

#include "forecourt/sync/codec.hpp"

namespace forecourt::cli {

Result<std::unique_ptr<StoreHost>> StoreHost::start(std::unique_ptr<store::StoreDatabase> store,
                                                    HostOptions options) {
    std::unique_ptr<StoreHost> host(new StoreHost());
    host->store_ = std::move(store);
    host->service_ = std::make_unique<sync::StoreService>(*host->store_);
    sync::net::StoreServerOptions server;
    server.address = options.address;
    server.port = options.port;
    server.identity = std::move(options.identity);
    server.body_limit = host->service_->limits().max_body_bytes;
    server.log = std::move(options.log);
    server.clock = &host->store_->clock();
    StoreHost* self = host.get();
    server.handler = [self](const sync::net::HttpRequest& request) { return self->handle(request); };
    server.authenticate_socket = [self](const std::string& token) -> std::optional<std::string> {
        auto device = self->service_->authenticate_device(token);
        if (!device.ok()) return std::nullopt;
        return device.value();
    };
    FC_ASSIGN(host->server_, sync::net::StoreServer::start(std::move(server)));
    return host;
}

StoreHost::~StoreHost() { stop(); }

void StoreHost::stop() {
    if (server_) server_->stop();
}

sync::net::HttpResponse StoreHost::handle(const sync::net::HttpRequest& request) {
    auto reply = service_->handle(
        sync::Request{request.method, request.target, request.bearer_token, request.body});
    // The reply is committed before the pokes go out, so a poked tablet finds the change.
    if (server_)
        for (const auto& poke : reply.pokes) server_->poke(poke.device_id, sync::encode(poke.poke));
    sync::net::HttpResponse response;
    response.status = reply.response.status;
    response.body = std::move(reply.response.body);
    return response;
}

Result<std::pair<std::string, std::uint16_t>> parse_listen_address(const std::string& text) {
    const auto colon = text.rfind(':');
    auto bad = [&] {
        return make_error(ErrorCode::invalid_argument,
                          "--listen must be ADDRESS:PORT, e.g. 0.0.0.0:8443 or 127.0.0.1:0 (got '" +
                              text + "')");
    };
    if (colon == std::string::npos || colon == 0) return bad();
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    const char* first = text.data() + colon + 1;
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(first, last, port);
    if (ec != std::errc{} || end != last || first == last || port > 65535) return bad();
    return std::pair{host, static_cast<std::uint16_t>(port)};
}

}  // namespace forecourt::cli
