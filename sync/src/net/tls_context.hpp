// TLS contexts for both ends: the server's (its identity, TLS 1.2+) and the
// client's, which trusts no CA because it pins the store's certificate instead.
#pragma once

#include <memory>
#include <string>

#include "beast_types.hpp"
#include "forecourt/platform/result.hpp"
#include "forecourt/sync/net/certificate.hpp"

namespace forecourt::sync::net {

Result<std::unique_ptr<asio::ssl::context>> make_server_tls_context(const TlsIdentity& identity);

std::unique_ptr<asio::ssl::context> make_client_tls_context();

// The fingerprint of the certificate the peer presented, or empty if none.
std::string peer_fingerprint(SSL* ssl);

}  // namespace forecourt::sync::net
