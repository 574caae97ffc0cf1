// One device's events WebSocket on the store server: the server writes pokes to it,
// keeps it alive with pings, and drops it when the device stops answering.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "beast_types.hpp"
#include "server_state.hpp"

namespace forecourt::sync::net {

class WebSocketSession : public std::enable_shared_from_this<WebSocketSession> {
public:
    WebSocketSession(TlsStream&& stream, ConnectionSlot slot, std::string device,
                     std::string remote);
    ~WebSocketSession();

    // Registers the socket for pokes and answers the upgrade request.
    void start(BeastRequest&& upgrade);
    // Thread-safe. Messages sent before the handshake completes wait for it.
    void send(std::shared_ptr<const std::string> message);
    // Thread-safe. Closes with "going away" (server shutdown).
    void close();

private:
    void on_accept(beast::error_code ec);
    void read_next();
    void on_read(beast::error_code ec, std::size_t bytes);
    void enqueue(std::shared_ptr<const std::string> message);
    void write_next();
    void on_write(beast::error_code ec, std::size_t bytes);
    void on_close(beast::error_code ec);

    ConnectionSlot slot_;
    std::shared_ptr<ServerState> state_;
    websocket::stream<TlsStream> ws_;
    std::string device_;
    std::string remote_;
    beast::flat_buffer buffer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::chrono::steady_clock::time_point opened_;
    bool open_ = false;
    bool writing_ = false;
    bool closing_ = false;
};

}  // namespace forecourt::sync::net
