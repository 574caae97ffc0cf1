// One TLS connection to the store server: handshake, then keep-alive HTTP requests
// passed to the handler, until it closes or upgrades to the events WebSocket.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "beast_types.hpp"
#include "server_state.hpp"

namespace forecourt::sync::net {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket&& socket, asio::ssl::context& tls, ConnectionSlot slot);
    ~HttpSession();

    void start();
    // Thread-safe. Closes the connection if it is waiting for a request (shutdown).
    void close_if_idle();
    // Thread-safe. Closes the connection whatever it is doing (end of shutdown).
    void close();

private:
    void on_handshake(beast::error_code ec);
    void read_request();
    void on_read(beast::error_code ec, std::size_t bytes);
    void refuse(int status, std::string_view code, std::string message);
    void handle(BeastRequest&& request);
    void upgrade(BeastRequest&& request);
    HttpResponse call_handler(HttpRequest&& request);
    // Closes the connection without answering the request in flight.
    void drop();
    void send(BeastResponse&& response);
    void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
    void finish_request(int status);
    void shut_down();
    void on_shut_down(beast::error_code ec);

    asio::any_io_executor executor_;  // the connection's strand; outlives a moved stream_
    TlsStream stream_;
    std::shared_ptr<ServerState> state_;
    std::optional<ConnectionSlot> slot_;
    std::string remote_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    BeastResponse response_;
    std::string method_;
    std::string path_;
    std::chrono::steady_clock::time_point request_started_;
    bool reading_ = false;
    bool in_flight_ = false;
    bool handed_over_ = false;
};

}  // namespace forecourt::sync::net
