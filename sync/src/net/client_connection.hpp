// What the tablet's HTTPS client and event socket share: a TLS connection to the
// store checked against the pinned fingerprint, and one way of naming failures.
#pragma once

#include <string>
#include <string_view>

#include "beast_types.hpp"
#include "forecourt/platform/result.hpp"
#include "forecourt/sync/net/https_client.hpp"

namespace forecourt::sync::net {

// Runs the io_context on the calling thread until its queued work is done; the
// clients drive one operation at a time this way, with Beast's timers bounding each.
void run_to_completion(asio::io_context& io);

// Resolves, connects, handshakes (with SNI for names) and checks the pin. Returns
// the fingerprint the server presented.
Result<std::string> connect_pinned(asio::io_context& io, TlsStream& stream,
                                   const ClientOptions& options, const std::string& pin);

// offline for "cannot reach / no answer in time", protocol for the rest.
Error transport_error(beast::error_code ec, std::string_view doing, const ClientOptions& options);

// "host:port", with brackets for IPv6 literals, for Host headers and messages.
std::string authority_of(const ClientOptions& options);

}  // namespace forecourt::sync::net
