// Accepts TCP connections for the store server and admits them within the
// connection budget; each admitted one becomes an HttpSession.
#pragma once

#include <cstdint>
#include <memory>

#include "beast_types.hpp"
#include "forecourt/platform/result.hpp"
#include "server_state.hpp"

namespace forecourt::sync::net {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    static Result<std::shared_ptr<Listener>> open(asio::io_context& io, asio::ssl::context& tls,
                                                  const tcp::endpoint& endpoint,
                                                  std::shared_ptr<ServerState> state);

    Listener(asio::io_context& io, asio::ssl::context& tls, std::shared_ptr<ServerState> state);

    void start();
    void stop();  // thread-safe
    std::uint16_t port() const { return port_; }

private:
    Status bind(const tcp::endpoint& endpoint);
    void accept_next();
    void on_accept(beast::error_code ec, tcp::socket socket);
    void admit(tcp::socket&& socket);

    asio::io_context& io_;
    asio::ssl::context& tls_;
    std::shared_ptr<ServerState> state_;
    tcp::acceptor acceptor_;
    asio::steady_timer backoff_;
    std::uint16_t port_ = 0;
};

}  // namespace forecourt::sync::net
