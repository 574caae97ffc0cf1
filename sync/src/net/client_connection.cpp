// A pinned TLS connection to the store server, and how client failures are named.
#include "client_connection.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>

#include "tls_context.hpp"

namespace forecourt::sync::net {
namespace {

bool is_ip_literal(const std::string& host) {
    beast::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

bool means_unreachable(beast::error_code ec) {
    return ec == beast::error::timeout || ec == asio::error::timed_out ||
           ec == asio::error::connection_refused || ec == asio::error::host_unreachable ||
           ec == asio::error::network_unreachable || ec == asio::error::network_down ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe || ec == asio::error::not_connected ||
           ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
           ec == http::error::end_of_stream || ec == asio::error::host_not_found ||
           ec == asio::error::host_not_found_try_again || ec == asio::error::operation_aborted;
}

Result<tcp::resolver::results_type> resolve(asio::io_context& io, const ClientOptions& options) {
    tcp::resolver resolver(io);
    asio::steady_timer deadline(io, options.connect_timeout);
    beast::error_code ec;
    tcp::resolver::results_type results;
    resolver.async_resolve(options.host, std::to_string(options.port),
                           [&](beast::error_code resolve_ec, tcp::resolver::results_type found) {
                               ec = resolve_ec;
                               results = std::move(found);
                               deadline.cancel();
                           });
    deadline.async_wait([&](beast::error_code wait_ec) {
        if (!wait_ec) resolver.cancel();
    });
    run_to_completion(io);
    if (ec) return transport_error(ec, "resolving the store's address", options);
    return results;
}

Status handshake(asio::io_context& io, TlsStream& stream, const ClientOptions& options) {
    if (!is_ip_literal(options.host) &&
        SSL_set_tlsext_host_name(stream.native_handle(), options.host.c_str()) != 1) {
        return make_error(ErrorCode::invalid_argument, "cannot use '" + options.host + "' as SNI",
                          ErrorDomain::sync);
    }
    // Asio asks OpenSSL to free a connection's record buffers whenever they
    // empty, so every 16 KB record of a page was read into a new allocation;
    // a tablet's one connection keeps its buffers instead.
    SSL_clear_mode(stream.native_handle(), SSL_MODE_RELEASE_BUFFERS);
    beast::error_code ec;
    beast::get_lowest_layer(stream).expires_after(options.handshake_timeout);
    stream.async_handshake(asio::ssl::stream_base::client,
                           [&](beast::error_code handshake_ec) { ec = handshake_ec; });
    run_to_completion(io);
    if (ec) return transport_error(ec, "TLS handshake", options);
    return ok_status();
}

}  // namespace

void run_to_completion(asio::io_context& io) {
    io.restart();
    io.run();
}

std::string authority_of(const ClientOptions& options) {
    const bool v6 = options.host.find(':') != std::string::npos;
    return (v6 ? "[" + options.host + "]" : options.host) + ":" + std::to_string(options.port);
}

Error transport_error(beast::error_code ec, std::string_view doing, const ClientOptions& options) {
    const bool offline = means_unreachable(ec);
    std::string message = offline ? "store server " + authority_of(options) + " unreachable ("
                                  : "store server " + authority_of(options) + " failed (";
    message += std::string(doing) + ": " + ec.message() + ")";
    return make_error(offline ? ErrorCode::offline : ErrorCode::protocol, std::move(message),
                      ErrorDomain::sync);
}

Result<std::string> connect_pinned(asio::io_context& io, TlsStream& stream,
                                   const ClientOptions& options, const std::string& pin) {
    FC_ASSIGN(auto endpoints, resolve(io, options));
    beast::error_code ec;
    beast::get_lowest_layer(stream).expires_after(options.connect_timeout);
    beast::get_lowest_layer(stream).async_connect(
        endpoints, [&](beast::error_code connect_ec, const tcp::endpoint&) { ec = connect_ec; });
    run_to_completion(io);
    if (ec) return transport_error(ec, "connecting", options);
    // Requests are written whole; waiting for an ACK before the last segment only adds latency.
    beast::get_lowest_layer(stream).socket().set_option(tcp::no_delay(true), ec);
    FC_TRY(handshake(io, stream, options));
    std::string presented = peer_fingerprint(stream.native_handle());
    if (presented != pin) {
        beast::get_lowest_layer(stream).close();
        return make_error(ErrorCode::tampered,
                          "the store server " + authority_of(options) +
                              " is not the one this tablet enrolled with: expected certificate " +
                              pin + ", server presented " +
                              (presented.empty() ? "no certificate" : presented),
                          ErrorDomain::sync);
    }
    return presented;
}

}  // namespace forecourt::sync::net
