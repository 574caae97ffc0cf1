// Shared state of the store server's sessions. Sessions are held weakly and used
// outside the lock, so a session ending never waits for a poke or a shutdown.
#include "server_state.hpp"

#include <vector>

#include "http_session.hpp"
#include "websocket_session.hpp"

namespace forecourt::sync::net {

std::optional<ConnectionSlot> ConnectionSlot::admit(const std::shared_ptr<ServerState>& state) {
    if (!state->try_admit()) return std::nullopt;
    return ConnectionSlot(state);
}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
    if (this != &other) {
        if (state_) state_->release();
        state_ = std::move(other.state_);
    }
    return *this;
}

ConnectionSlot::~ConnectionSlot() {
    if (state_) state_->release();
}

ServerState::ServerState(StoreServerOptions options)
    : options_(std::move(options)), log_(options_.log, options_.clock) {}

bool ServerState::try_admit() {
    std::lock_guard lock(mutex_);
    if (stopping_.load() || connections_ >= options_.max_connections) return false;
    ++connections_;
    return true;
}

void ServerState::release() {
    {
        std::lock_guard lock(mutex_);
        --connections_;
    }
    changed_.notify_all();
}

std::size_t ServerState::open_connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

bool ServerState::add(const std::shared_ptr<HttpSession>& session) {
    std::lock_guard lock(mutex_);
    if (stopping_.load()) return false;
    http_sessions_[session.get()] = session;
    return true;
}

void ServerState::remove(const HttpSession* session) {
    std::lock_guard lock(mutex_);
    http_sessions_.erase(session);
}

bool ServerState::add(const std::string& device, const std::shared_ptr<WebSocketSession>& session) {
    std::lock_guard lock(mutex_);
    if (stopping_.load()) return false;
    sockets_.emplace(device, SocketEntry{session.get(), session});
    return true;
}

void ServerState::remove(const WebSocketSession* session) {
    std::lock_guard lock(mutex_);
    for (auto it = sockets_.begin(); it != sockets_.end();) {
        it = it->second.key == session ? sockets_.erase(it) : std::next(it);
    }
}

std::size_t ServerState::poke(std::string_view device, std::string_view text) {
    std::vector<std::weak_ptr<WebSocketSession>> targets;
    {
        std::lock_guard lock(mutex_);
        auto [first, last] = sockets_.equal_range(device);
        for (auto it = first; it != last; ++it) targets.push_back(it->second.session);
    }
    auto message = std::make_shared<const std::string>(text);
    std::size_t queued = 0;
    for (const auto& weak : targets) {
        if (auto session = weak.lock()) {
            session->send(message);
            ++queued;
        }
    }
    return queued;
}

void ServerState::request_started() {
    std::lock_guard lock(mutex_);
    ++requests_in_flight_;
}

void ServerState::request_finished() {
    {
        std::lock_guard lock(mutex_);
        --requests_in_flight_;
    }
    changed_.notify_all();
}

void ServerState::begin_stop() {
    std::vector<std::weak_ptr<HttpSession>> sessions;
    {
        // Set under the lock: a session is either added before this, and closed
        // below or by close_all, or refused by add.
        std::lock_guard lock(mutex_);
        stopping_.store(true);
        for (const auto& [key, weak] : http_sessions_) sessions.push_back(weak);
    }
    for (const auto& weak : sessions) {
        if (auto session = weak.lock()) session->close_if_idle();
    }
}

bool ServerState::wait_for_requests(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return requests_in_flight_ == 0; });
}

void ServerState::close_all() {
    std::vector<std::weak_ptr<HttpSession>> sessions;
    std::vector<std::weak_ptr<WebSocketSession>> sockets;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [key, weak] : http_sessions_) sessions.push_back(weak);
        for (const auto& [device, entry] : sockets_) sockets.push_back(entry.session);
    }
    for (const auto& weak : sessions) {
        if (auto session = weak.lock()) session->close();
    }
    for (const auto& weak : sockets) {
        if (auto socket = weak.lock()) socket->close();
    }
}

bool ServerState::wait_until_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return connections_ == 0; });
}

}  // namespace forecourt::sync::net
