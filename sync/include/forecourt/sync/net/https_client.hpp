// The tablet's HTTPS connection to its store server: the store's self-signed
// certificate is trusted only if its fingerprint equals the one pinned at enrolment.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "forecourt/platform/result.hpp"
#include "forecourt/sync/net/http_message.hpp"

namespace forecourt::sync::net {

struct ClientOptions {
    std::string host;  // name or IP literal; names are also sent as SNI
    std::uint16_t port = 443;
    std::string pinned_fingerprint;  // any form normalize_fingerprint() accepts

    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds handshake_timeout{5'000};
    std::chrono::milliseconds io_timeout{15'000};  // each request's write, and its read
    std::size_t response_limit = 16 << 20;
    std::string user_agent = "forecourt-tablet";
};

// Errors (domain sync): offline when the store cannot be reached or does not answer
// in time (retry later); tampered when the store presents another certificate than
// the pinned one (do not retry; the message shows both fingerprints); protocol when
// it answers with something that is not HTTP over TLS.
class HttpsClient {
public:
    explicit HttpsClient(ClientOptions options);
    ~HttpsClient();
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;

    // One request on the kept-alive connection, (re)connecting when needed. A
    // connection the server closed while idle is reopened and the request retried
    // once. Any HTTP status is a success here; callers interpret 4xx/5xx.
    Result<HttpResponse> request(std::string_view method, std::string_view target,
                                 std::string_view bearer_token, std::string body = {});

    // The fingerprint the server presented on the last successful handshake.
    std::string server_fingerprint() const;

    void disconnect();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace forecourt::sync::net
