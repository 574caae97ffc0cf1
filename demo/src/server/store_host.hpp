// A running store server: the store's request handler behind the HTTPS and
// WebSocket front, with pokes forwarded to the devices whose scope changed.
// `server run` and the demo both run the store through it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "forecourt/core/store/store_database.hpp"
#include "forecourt/sync/net/store_server.hpp"
#include "forecourt/sync/server/store_service.hpp"

namespace forecourt::cli {

struct HostOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    sync::net::TlsIdentity identity;
    sync::net::LogSink log;  // one JSON object per line; none: not logged
};

class StoreHost {
public:
    // Takes the store; the service and server live as long as the host.
    static Result<std::unique_ptr<StoreHost>> start(std::unique_ptr<store::StoreDatabase> store,
                                                    HostOptions options);
    ~StoreHost();  // stop()
    StoreHost(const StoreHost&) = delete;
    StoreHost& operator=(const StoreHost&) = delete;

    std::uint16_t port() const { return server_->port(); }
    sync::StoreService& service() { return *service_; }
    store::StoreDatabase& store() { return *store_; }

    // Lets requests being handled finish, then closes every connection. Idempotent.
    void stop();

private:
    StoreHost() = default;
    sync::net::HttpResponse handle(const sync::net::HttpRequest& request);

    std::unique_ptr<store::StoreDatabase> store_;
    std::unique_ptr<sync::StoreService> service_;
    std::unique_ptr<sync::net::StoreServer> server_;
};

// "host:port" → its two parts; the host may be an IPv6 literal in brackets.
Result<std::pair<std::string, std::uint16_t>> parse_listen_address(const std::string& text);

}  // namespace forecourt::cli
