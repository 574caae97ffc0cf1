// A store server connection: TLS handshake, bounded request reads, the handler
// called with plain types, and the WebSocket upgrade for device events.
#include "http_session.hpp"

#include <algorithm>
#include <exception>

#include "http_conversion.hpp"
#include "websocket_session.hpp"

namespace forecourt::sync::net {
namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::chrono::milliseconds kShutdownTimeout{2'000};

bool is_quiet_end(beast::error_code ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::ssl::error::stream_truncated || ec == asio::error::operation_aborted ||
           ec == asio::error::connection_reset || ec == asio::error::bad_descriptor;
}

std::int64_t ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
}

}  // namespace

HttpSession::HttpSession(tcp::socket&& socket, asio::ssl::context& tls, ConnectionSlot slot)
    : executor_(socket.get_executor()),
      stream_(std::move(socket), tls),
      state_(slot.shared_state()),
      slot_(std::move(slot)) {
    beast::error_code ec;
    auto& tcp_socket = beast::get_lowest_layer(stream_).socket();
    tcp_socket.set_option(tcp::no_delay(true), ec);  // answers are written whole: no Nagle delay
    auto peer = tcp_socket.remote_endpoint(ec);
    remote_ = ec ? "unknown" : endpoint_text(peer);
}

HttpSession::~HttpSession() {
    if (in_flight_) state_->request_finished();
    state_->remove(this);
}

void HttpSession::start() {
    if (!state_->add(shared_from_this())) {
        // Accepted as the server began to stop: nothing will close it later.
        state_->log().write(LogEvent("connection_refused", remote_).warn().detail("stopping"));
        beast::error_code ignored;
        beast::get_lowest_layer(stream_).socket().close(ignored);
        return;
    }
    asio::dispatch(executor_, [self = shared_from_this()] {
        beast::get_lowest_layer(self->stream_)
            .expires_after(self->state_->options().handshake_timeout);
        self->stream_.async_handshake(asio::ssl::stream_base::server,
                                      beast::bind_front_handler(&HttpSession::on_handshake, self));
    });
}

void HttpSession::close_if_idle() {
    asio::post(executor_, [self = shared_from_this()] {
        if (self->reading_ && !self->handed_over_) beast::get_lowest_layer(self->stream_).close();
    });
}

void HttpSession::close() {
    asio::post(executor_, [self = shared_from_this()] {
        if (!self->handed_over_) beast::get_lowest_layer(self->stream_).close();
    });
}

void HttpSession::on_handshake(beast::error_code ec) {
    if (ec) {
        state_->log().write(LogEvent("tls_handshake_failed", remote_).warn().detail(ec.message()));
        return;
    }
    read_request();
}

void HttpSession::read_request() {
    if (state_->stopping()) return shut_down();
    const StoreServerOptions& options = state_->options();
    parser_.emplace();
    parser_->body_limit(options.body_limit);
    parser_->header_limit(kHeaderLimit);
    // One deadline covers waiting for the request and reading all of it, so a
    // client that trickles bytes cannot hold the connection open.
    beast::get_lowest_layer(stream_).expires_after(options.request_timeout);
    reading_ = true;
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec == http::error::body_limit) {
        return refuse(413, "limit_exceeded",
                      "the request body is larger than " +
                          std::to_string(state_->options().body_limit) + " bytes");
    }
    if (ec == http::error::header_limit) {
        return refuse(431, "limit_exceeded", "the request header is too large");
    }
    if (ec == beast::error::timeout) {
        // Silence on an idle keep-alive connection is normal; a request cut short is not.
        if (parser_->got_some()) {
            state_->log().write(LogEvent("request_timeout", remote_).warn());
        }
        return;
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
        !is_quiet_end(ec)) {
        return refuse(400, "protocol", "the request is not valid HTTP/1.1");
    }
    if (ec) return;
    handle(parser_->release());
}

void HttpSession::refuse(int status, std::string_view code, std::string message) {
    state_->log().write(LogEvent("request_refused", remote_).warn().status(status).detail(code));
    send(to_beast_response(json_error_response(status, code, message), 11, false));
}

void HttpSession::handle(BeastRequest&& request) {
    method_ = std::string(request.method_string());
    path_ = std::string(path_of(request.target()));
    request_started_ = std::chrono::steady_clock::now();
    if (websocket::is_upgrade(request)) {
        if (path_ == state_->options().events_path) return upgrade(std::move(request));
        return refuse(404, "not_found", "no WebSocket at " + path_);
    }
    state_->request_started();
    in_flight_ = true;
    const unsigned version = request.version();
    const bool wants_keep_alive = request.keep_alive();
    HttpResponse response = call_handler(to_plain_request(std::move(request), remote_));
    if (response.drop_connection) return drop();
    // Checked after the handler: a stop that began meanwhile closes this connection,
    // and the client should know before it sends another request.
    const bool keep_alive = wants_keep_alive && !state_->stopping();
    send(to_beast_response(std::move(response), version, keep_alive));
}

HttpResponse HttpSession::call_handler(HttpRequest&& request) {
    const RequestHandler& handler = state_->options().handler;
    try {
        return handler(request);
    } catch (const std::exception& e) {
        state_->log().write(
            LogEvent("handler_failed", remote_).error().request(method_, path_).detail(e.what()));
    } catch (...) {
        state_->log().write(LogEvent("handler_failed", remote_).error().request(method_, path_));
    }
    return json_error_response(500, "internal", "the server could not handle the request");
}

void HttpSession::upgrade(BeastRequest&& request) {
    std::optional<std::string> device;
    try {
        const SocketAuthenticator& authenticate = state_->options().authenticate_socket;
        if (authenticate) device = authenticate(bearer_token_of(request));
    } catch (const std::exception& e) {
        state_->log().write(
            LogEvent("socket_authentication_failed", remote_).error().detail(e.what()));
        return refuse(500, "internal", "the server could not check the token");
    }
    if (!device) {
        return refuse(401, "unauthorized", "the token does not belong to an enrolled device");
    }
    handed_over_ = true;
    auto socket = std::make_shared<WebSocketSession>(std::move(stream_), std::move(*slot_),
                                                     std::move(*device), remote_);
    slot_.reset();
    socket->start(std::move(request));
}

void HttpSession::drop() {
    in_flight_ = false;
    state_->request_finished();
    state_->log().write(LogEvent("request_dropped", remote_)
                            .warn()
                            .duration(ms_since(request_started_))
                            .request(method_, path_));
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
}

void HttpSession::send(BeastResponse&& response) {
    response_ = std::move(response);
    const bool keep_alive = response_.keep_alive();
    beast::get_lowest_layer(stream_).expires_after(state_->options().write_timeout);
    http::async_write(
        stream_, response_,
        beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (in_flight_) finish_request(static_cast<int>(response_.result_int()));
    if (ec) return;
    if (keep_alive && !state_->stopping()) return read_request();
    shut_down();
}

void HttpSession::finish_request(int status) {
    in_flight_ = false;
    state_->request_finished();
    LogEvent event("request", remote_);
    event.status(status).duration(ms_since(request_started_)).request(method_, path_);
    state_->log().write(status >= 500 ? event.error() : event);
}

void HttpSession::shut_down() {
    auto timeout =
        std::min<std::chrono::milliseconds>(kShutdownTimeout, state_->options().handshake_timeout);
    beast::get_lowest_layer(stream_).expires_after(timeout);
    stream_.async_shutdown(
        beast::bind_front_handler(&HttpSession::on_shut_down, shared_from_this()));
}

void HttpSession::on_shut_down(beast::error_code) {
    // Nothing is left to do; the socket closes when the session ends.
}

}  // namespace forecourt::sync::net
