// The store server's network front: HTTPS requests passed to a plain handler, and
// per-device WebSockets over which the server pokes tablets when their scope changes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "forecourt/platform/clock.hpp"
#include "forecourt/platform/result.hpp"
#include "forecourt/sync/net/certificate.hpp"
#include "forecourt/sync/net/http_message.hpp"

namespace forecourt::sync::net {

// Receives one JSON object per line: time, level, event, remote and, where they
// apply, status, duration_ms, device and detail. Bodies and tokens are never logged.
using LogSink = std::function<void(const std::string& json_line)>;

// Returns the device a bearer token belongs to, or nothing to refuse the socket.
using SocketAuthenticator =
    std::function<std::optional<std::string>(const std::string& bearer_token)>;

struct StoreServerOptions {
    std::string address = "0.0.0.0";
    std::uint16_t port = 0;  // 0 picks a free port; see StoreServer::port()
    TlsIdentity identity;
    std::size_t threads = 2;

    std::chrono::milliseconds handshake_timeout{10'000};
    // Waiting for, then reading, one request (header and body). Also closes idle
    // keep-alive connections, which clients reopen transparently.
    std::chrono::milliseconds request_timeout{10'000};
    std::chrono::milliseconds write_timeout{10'000};
    std::size_t body_limit = 1 << 20;   // larger bodies get 413 and the connection closed
    std::size_t max_connections = 256;  // beyond it new connections are closed at once

    std::string events_path = "/v1/events";
    // A socket that shows no sign of life (pings go out at half this) is closed.
    std::chrono::milliseconds socket_idle_timeout{60'000};
    std::size_t socket_queue_limit = 64;  // pending pokes per socket; more are dropped

    // How long stop() waits for requests already being handled.
    std::chrono::milliseconds shutdown_grace{5'000};

    RequestHandler handler;
    SocketAuthenticator authenticate_socket;
    LogSink log;
    const platform::Clock* clock = nullptr;  // timestamps in logs; system clock if null
};

class StoreServer {
public:
    // Binds, loads the TLS identity and starts the threads. Fails with a clear Error
    // when the address is taken or the identity is unusable.
    static Result<std::unique_ptr<StoreServer>> start(StoreServerOptions options);

    ~StoreServer();  // stop()
    StoreServer(const StoreServer&) = delete;
    StoreServer& operator=(const StoreServer&) = delete;

    std::uint16_t port() const;

    // Sends a text message to every open socket of the device; returns how many
    // sockets it was queued on. Thread-safe.
    std::size_t poke(std::string_view device_id, std::string_view text);

    std::size_t open_connections() const;

    // Stops accepting, lets requests being handled finish (up to shutdown_grace),
    // closes every connection and socket and joins the threads. Idempotent.
    void stop();

    struct Impl;

private:
    explicit StoreServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace forecourt::sync::net
