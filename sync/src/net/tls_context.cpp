// TLS contexts for the store server and the pinned tablet client.
#include "tls_context.hpp"

#include "openssl_handles.hpp"

namespace forecourt::sync::net {
namespace {

void restrict_to_modern_tls(asio::ssl::context& context) {
    context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
}

}  // namespace

Result<std::unique_ptr<asio::ssl::context>> make_server_tls_context(const TlsIdentity& identity) {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    restrict_to_modern_tls(*context);
    boost::system::error_code ec;
    context->use_certificate_chain(asio::buffer(identity.certificate_pem), ec);
    if (!ec) {
        context->use_private_key(asio::buffer(identity.private_key_pem), asio::ssl::context::pem,
                                 ec);
    }
    if (!ec && SSL_CTX_check_private_key(context->native_handle()) != 1) {
        detail::take_openssl_error();
        return make_error(ErrorCode::invalid_argument,
                          "the private key does not belong to the certificate",
                          ErrorDomain::crypto);
    }
    if (ec) {
        return make_error(ErrorCode::invalid_argument, "unusable TLS identity: " + ec.message(),
                          ErrorDomain::crypto);
    }
    return context;
}

std::unique_ptr<asio::ssl::context> make_client_tls_context() {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    restrict_to_modern_tls(*context);
    // Store servers use self-signed certificates, so CA verification would always
    // fail; the pinned fingerprint is checked right after the handshake instead,
    // before a single byte of the request is sent.
    context->set_verify_mode(asio::ssl::verify_none);
    return context;
}

std::string peer_fingerprint(SSL* ssl) {
    detail::X509Ptr cert(SSL_get1_peer_certificate(ssl));
    return cert ? detail::fingerprint_of(cert.get()) : std::string();
}

}  // namespace forecourt::sync::net
