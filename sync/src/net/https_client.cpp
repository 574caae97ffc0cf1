// The tablet's HTTPS client: one kept-alive pinned connection, requests made
// synchronously on the caller's thread, every step bounded by a timeout.
#include "forecourt/sync/net/https_client.hpp"

#include <mutex>
#include <optional>

#include "beast_types.hpp"
#include "client_connection.hpp"
#include "forecourt/sync/net/certificate.hpp"
#include "tls_context.hpp"

namespace forecourt::sync::net {

struct HttpsClient::Impl {
    ClientOptions options;
    Result<std::string> pin;
    asio::io_context io;
    std::unique_ptr<asio::ssl::context> tls = make_client_tls_context();
    std::optional<TlsStream> stream;
    beast::flat_buffer buffer;
    std::string fingerprint;
    mutable std::mutex mutex;

    explicit Impl(ClientOptions client_options)
        : options(std::move(client_options)),
          pin(normalize_fingerprint(options.pinned_fingerprint)) {}

    Status connect();
    void drop();
    Result<HttpResponse> exchange(BeastRequest& request, bool& server_closed_idle);
};

namespace {

bool closed_before_answering(beast::error_code ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::ssl::error::stream_truncated || ec == http::error::end_of_stream ||
           ec == asio::error::broken_pipe;
}

Result<BeastRequest> build_request(const ClientOptions& options, std::string_view method,
                                   std::string_view target, std::string_view bearer_token,
                                   std::string&& body) {
    http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown || target.empty() || target.front() != '/') {
        return make_error(
            ErrorCode::invalid_argument,
            "not an HTTP request: '" + std::string(method) + " " + std::string(target) + "'",
            ErrorDomain::sync);
    }
    BeastRequest request{verb, target, 11};
    request.set(http::field::host, authority_of(options));
    request.set(http::field::user_agent, options.user_agent);
    request.set(http::field::accept, "application/json");
    if (!bearer_token.empty()) {
        request.set(http::field::authorization, "Bearer " + std::string(bearer_token));
    }
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    request.keep_alive(true);
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
}

}  // namespace

Status HttpsClient::Impl::connect() {
    stream.emplace(io, *tls);
    buffer.clear();
    auto presented = connect_pinned(io, *stream, options, pin.value());
    if (!presented.ok()) {
        stream.reset();
        return presented.take_error();
    }
    fingerprint = std::move(presented).value();
    return ok_status();
}

void HttpsClient::Impl::drop() {
    if (!stream) return;
    beast::error_code ignored;
    beast::get_lowest_layer(*stream).socket().close(ignored);
    stream.reset();
    buffer.clear();
}

Result<HttpResponse> HttpsClient::Impl::exchange(BeastRequest& request, bool& server_closed_idle) {
    server_closed_idle = false;
    beast::error_code ec;
    beast::get_lowest_layer(*stream).expires_after(options.io_timeout);
    http::async_write(*stream, request,
                      [&](beast::error_code write_ec, std::size_t) { ec = write_ec; });
    run_to_completion(io);
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.response_limit);
    if (!ec) {
        beast::get_lowest_layer(*stream).expires_after(options.io_timeout);
        http::async_read(*stream, buffer, parser,
                         [&](beast::error_code read_ec, std::size_t) { ec = read_ec; });
        run_to_completion(io);
    }
    if (ec) {
        server_closed_idle = closed_before_answering(ec) && !parser.got_some();
        drop();
        if (ec == http::error::body_limit) {
            return make_error(ErrorCode::protocol,
                              "the store's response is larger than " +
                                  std::to_string(options.response_limit) + " bytes",
                              ErrorDomain::sync);
        }
        return transport_error(ec, "exchanging a request", options);
    }
    BeastResponse response = parser.release();
    if (!response.keep_alive()) drop();
    HttpResponse out;
    out.status = static_cast<int>(response.result_int());
    out.content_type = std::string(response[http::field::content_type]);
    out.body = std::move(response.body());
    return out;
}

HttpsClient::HttpsClient(ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpsClient::~HttpsClient() = default;

Result<HttpResponse> HttpsClient::request(std::string_view method, std::string_view target,
                                          std::string_view bearer_token, std::string body) {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->pin.ok()) return impl_->pin.error();
    FC_ASSIGN(BeastRequest request,
              build_request(impl_->options, method, target, bearer_token, std::move(body)));
    const bool reused = impl_->stream.has_value();
    if (!reused) FC_TRY(impl_->connect());
    bool server_closed_idle = false;
    auto response = impl_->exchange(request, server_closed_idle);
    // A kept-alive connection the server closed while it sat idle fails before a
    // byte of answer. Retrying once on a fresh connection is safe: sync requests
    // are idempotent (a retried push is acknowledged again and applied once).
    if (!response.ok() && reused && server_closed_idle) {
        FC_TRY(impl_->connect());
        response = impl_->exchange(request, server_closed_idle);
    }
    return response;
}

std::string HttpsClient::server_fingerprint() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->fingerprint;
}

void HttpsClient::disconnect() {
    std::lock_guard lock(impl_->mutex);
    impl_->drop();
}

}  // namespace forecourt::sync::net
