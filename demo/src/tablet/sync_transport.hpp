// How the tablet commands reach the store server: its URL taken apart, and
// the sync client's Transport over a pinned HTTPS connection.
#pragma once

#include <cstdint>
#include <string>

#include "forecourt/sync/exchange.hpp"
#include "forecourt/sync/net/https_client.hpp"

namespace forecourt::cli {

// "https://HOST[:PORT]" with the pinned fingerprint → connection options.
Result<sync::net::ClientOptions> connection_for(const std::string& server_url,
                                                const std::string& fingerprint);

class HttpsTransport : public sync::Transport {
public:
    explicit HttpsTransport(sync::net::ClientOptions options) : client_(std::move(options)) {}
    Result<sync::Response> send(const sync::Request& request) override;
    // One connection, used by one request at a time, from whichever thread sends.
    bool sends_in_background() const override { return true; }


private:
    sync::net::HttpsClient client_;
};

}  // namespace forecourt::cli
