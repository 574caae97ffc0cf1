// Accepts connections for the store server within its connection budget.
#include "listener.hpp"

#include <boost/asio/steady_timer.hpp>

#include "http_conversion.hpp"
#include "http_session.hpp"

namespace forecourt::sync::net {
namespace {

// After a failed accept (e.g. out of file descriptors), wait instead of spinning.
constexpr std::chrono::milliseconds kAcceptBackoff{50};

Error bind_error(const tcp::endpoint& endpoint, beast::error_code ec) {
    ErrorCode code = ErrorCode::internal;
    if (ec == asio::error::address_in_use) code = ErrorCode::already_exists;
    if (ec == asio::error::access_denied) code = ErrorCode::forbidden;
    if (ec == boost::system::errc::address_not_available) code = ErrorCode::invalid_argument;
    return make_error(code, "cannot listen on " + endpoint_text(endpoint) + ": " + ec.message(),
                      ErrorDomain::sync);
}

}  // namespace

Listener::Listener(asio::io_context& io, asio::ssl::context& tls,
                   std::shared_ptr<ServerState> state)
    : io_(io),
      tls_(tls),
      state_(std::move(state)),
      acceptor_(asio::make_strand(io)),
      backoff_(acceptor_.get_executor()) {}

Result<std::shared_ptr<Listener>> Listener::open(asio::io_context& io, asio::ssl::context& tls,
                                                 const tcp::endpoint& endpoint,
                                                 std::shared_ptr<ServerState> state) {
    auto listener = std::make_shared<Listener>(io, tls, std::move(state));
    FC_TRY(listener->bind(endpoint));
    return listener;
}

Status Listener::bind(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return bind_error(endpoint, ec);
    port_ = acceptor_.local_endpoint(ec).port();
    state_->log().write(LogEvent("listening", endpoint_text(acceptor_.local_endpoint(ec))));
    return ok_status();
}

void Listener::start() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept_next(); });
}

void Listener::stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ignored;
        self->acceptor_.close(ignored);
        self->backoff_.cancel();
    });
}

void Listener::accept_next() {
    // Each connection gets its own strand, so its handlers never run concurrently.
    acceptor_.async_accept(asio::make_strand(io_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        state_->log().write(LogEvent("accept_failed").warn().detail(ec.message()));
        backoff_.expires_after(kAcceptBackoff);
        backoff_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
            if (!wait_ec && self->acceptor_.is_open()) self->accept_next();
        });
        return;
    }
    admit(std::move(socket));
    accept_next();
}

void Listener::admit(tcp::socket&& socket) {
    std::optional<ConnectionSlot> slot = ConnectionSlot::admit(state_);
    if (!slot) {
        // Refusing before the TLS handshake costs the server nothing; clients see the
        // store as busy and retry later.
        beast::error_code ec;
        auto peer = socket.remote_endpoint(ec);
        state_->log().write(LogEvent("connection_refused", ec ? std::string() : endpoint_text(peer))
                                .warn()
                                .detail(state_->stopping() ? "stopping" : "connection limit"));
        socket.close(ec);
        return;
    }
    std::make_shared<HttpSession>(std::move(socket), tls_, std::move(*slot))->start();
}

}  // namespace forecourt::sync::net
