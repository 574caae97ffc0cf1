// What the store server's sessions share: options, the log, the connection budget,
// requests in flight, and the open sessions (weakly held) for pokes and shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "forecourt/sync/net/store_server.hpp"
#include "server_log.hpp"

namespace forecourt::sync::net {

class HttpSession;
class WebSocketSession;
class ServerState;

// One admitted connection; released when the last session holding it ends. It moves
// from the HTTP session to the WebSocket session on upgrade.
class ConnectionSlot {
public:
    static std::optional<ConnectionSlot> admit(const std::shared_ptr<ServerState>& state);

    ConnectionSlot(ConnectionSlot&& other) noexcept = default;
    ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
    ~ConnectionSlot();

    const std::shared_ptr<ServerState>& shared_state() const { return state_; }

private:
    explicit ConnectionSlot(std::shared_ptr<ServerState> state) : state_(std::move(state)) {}
    std::shared_ptr<ServerState> state_;
};

class ServerState {
public:
    explicit ServerState(StoreServerOptions options);

    const StoreServerOptions& options() const { return options_; }
    const ServerLog& log() const { return log_; }
    std::size_t open_connections() const;

    // Both adds refuse once a stop has begun: close_all may already have looked at
    // the sessions, so a session added now would be left open. Its caller closes it.
    [[nodiscard]] bool add(const std::shared_ptr<HttpSession>& session);
    void remove(const HttpSession* session);
    [[nodiscard]] bool add(const std::string& device,
                           const std::shared_ptr<WebSocketSession>& session);
    void remove(const WebSocketSession* session);

    std::size_t poke(std::string_view device, std::string_view text);

    void request_started();
    void request_finished();
    bool stopping() const { return stopping_.load(); }

    // Shutdown, in order: refuse new work and close idle connections; wait for the
    // requests being handled; close everything; wait until every session ended.
    void begin_stop();
    bool wait_for_requests(std::chrono::milliseconds timeout);
    void close_all();
    bool wait_until_closed(std::chrono::milliseconds timeout);

private:
    friend class ConnectionSlot;
    bool try_admit();
    void release();

    StoreServerOptions options_;
    ServerLog log_;
    std::atomic<bool> stopping_{false};

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t connections_ = 0;
    std::size_t requests_in_flight_ = 0;
    std::unordered_map<const HttpSession*, std::weak_ptr<HttpSession>> http_sessions_;
    // Keyed by address so removal never has to lock a weak_ptr: locking one under
    // mutex_ could make this thread the last owner and run a destructor that locks.
    struct SocketEntry {
        const WebSocketSession* key;
        std::weak_ptr<WebSocketSession> session;
    };
    std::multimap<std::string, SocketEntry, std::less<>> sockets_;
};

}  // namespace forecourt::sync::net
