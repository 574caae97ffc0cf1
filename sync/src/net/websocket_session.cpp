// A device's events WebSocket on the store server.
#include "websocket_session.hpp"

namespace forecourt::sync::net {
namespace {

// Tablets only listen on this socket; anything they send is small and ignored.
constexpr std::size_t kIncomingMessageLimit = 4096;

}  // namespace

WebSocketSession::WebSocketSession(TlsStream&& stream, ConnectionSlot slot, std::string device,
                                   std::string remote)
    : slot_(std::move(slot)),
      state_(slot_.shared_state()),
      ws_(std::move(stream)),
      device_(std::move(device)),
      remote_(std::move(remote)) {}

WebSocketSession::~WebSocketSession() {
    state_->remove(this);
    if (open_) {
        auto lived = std::chrono::steady_clock::now() - opened_;
        state_->log().write(
            LogEvent("socket_closed", remote_)
                .duration(std::chrono::duration_cast<std::chrono::milliseconds>(lived).count())
                .device(device_));
    }
}

void WebSocketSession::start(BeastRequest&& upgrade) {
    if (!state_->add(device_, shared_from_this())) {
        // Upgraded as the server began to stop: nothing will close it later.
        state_->log().write(
            LogEvent("connection_refused", remote_).warn().device(device_).detail("stopping"));
        beast::get_lowest_layer(ws_).close();
        return;
    }
    const StoreServerOptions& options = state_->options();
    // The WebSocket has its own timers (handshake, idle with pings), which replace
    // the TCP stream's single deadline.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options.handshake_timeout;
    timeouts.idle_timeout = options.socket_idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(kIncomingMessageLimit);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
        response.set(http::field::server, "forecourt-store");
    }));
    ws_.async_accept(upgrade,
                     beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

void WebSocketSession::on_accept(beast::error_code ec) {
    if (ec) {
        state_->log().write(LogEvent("socket_handshake_failed", remote_)
                                .warn()
                                .device(device_)
                                .detail(ec.message()));
        return;
    }
    open_ = true;
    opened_ = std::chrono::steady_clock::now();
    state_->log().write(LogEvent("socket_opened", remote_).device(device_));
    read_next();
    if (!queue_.empty()) write_next();
}

void WebSocketSession::read_next() {
    ws_.async_read(buffer_,
                   beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t) {
    // Any error ends the session: a close from the device, the idle timeout after
    // unanswered pings, or a reset. The destructor logs it.
    if (ec) return;
    buffer_.consume(buffer_.size());
    read_next();
}

void WebSocketSession::send(std::shared_ptr<const std::string> message) {
    asio::post(ws_.get_executor(),
               [self = shared_from_this(), message = std::move(message)]() mutable {
                   self->enqueue(std::move(message));
               });
}

void WebSocketSession::enqueue(std::shared_ptr<const std::string> message) {
    if (closing_) return;
    if (queue_.size() >= state_->options().socket_queue_limit) {
        // A poke only says "sync now"; one already waiting says the same.
        state_->log().write(LogEvent("poke_dropped", remote_).warn().device(device_));
        return;
    }
    queue_.push_back(std::move(message));
    if (open_ && !writing_) write_next();
}

void WebSocketSession::write_next() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(*queue_.front()),
                    beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return;
    queue_.pop_front();
    if (!queue_.empty() && !closing_) write_next();
}

void WebSocketSession::close() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
        if (self->closing_) return;
        self->closing_ = true;
        if (!self->open_) {
            beast::get_lowest_layer(self->ws_).close();
            return;
        }
        self->ws_.async_close(websocket::close_code::going_away,
                              beast::bind_front_handler(&WebSocketSession::on_close, self));
    });
}

void WebSocketSession::on_close(beast::error_code) {
    // The pending read completes with an error and ends the session.
}

}  // namespace forecourt::sync::net
