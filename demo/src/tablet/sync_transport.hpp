// How the tablet commands reach the store server: its URL taken apart, and
// the sync client's Transport over pinned HTTPS.
#pragma once

#include <cstdint>
#include <string>

#include "forecourt/sync/exchange.hpp"
#include "forecourt/sync/net/https_client.hpp"
#include "forecourt/sync/net/https_transport.hpp"

namespace forecourt::cli {

// "https://HOST[:PORT]" with the pinned fingerprint → connection options.
Result<sync::net::ClientOptions> connection_for(const std::string& server_url,
                                                const std::string& fingerprint);

using sync::net::HttpsTransport;

}  // namespace forecourt::cli
