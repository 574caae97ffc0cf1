// The sync client's Transport over the pinned HTTPS client: one kept-alive
// connection, and a second one, opened when first asked for, on which a push
// batch goes out while the answer to the batch ahead of it is awaited.
#pragma once

#include <memory>
#include <mutex>

#include "forecourt/sync/exchange.hpp"
#include "forecourt/sync/net/https_client.hpp"

namespace forecourt::sync::net {

class HttpsTransport : public Transport {
  public:
    explicit HttpsTransport(ClientOptions options);
    ~HttpsTransport() override;
    HttpsTransport(const HttpsTransport&) = delete;
    HttpsTransport& operator=(const HttpsTransport&) = delete;

    Result<Response> send(const Request& request) override;
    // Each connection is used by one request at a time, from whichever thread sends.
    bool sends_in_background() const override { return true; }
    // The same store on a connection of its own (which has no second lane itself).
    Transport* second_lane() override;

  private:
    HttpsTransport(ClientOptions options, bool is_lane);

    ClientOptions options_;
    HttpsClient client_;
    bool is_lane_ = false;
    std::mutex lane_mutex_;
    std::unique_ptr<HttpsTransport> lane_;
};

}  // namespace forecourt::sync::net
