// One HTTP exchange without sockets: what the tablet sends and the store
// server answers. The HTTPS transport converts to and from these; tests and
// fuzzers pass them straight from the client to the server's handler.
#pragma once

#include <string>

#include "forecourt/platform/result.hpp"

namespace forecourt::sync {

struct Request {
    std::string method;        // "GET", "POST"
    std::string target;        // path and query, e.g. "/v1/admin/conflicts?after=10"
    std::string bearer_token;  // from "Authorization: Bearer …"; empty when absent
    std::string body;
};

struct Response {
    int status = 200;
    std::string body;  // JSON
};

// How the tablet reaches its store server. An implementation returns the
// server's response whatever its status, or an Error (code offline) when no
// response arrived — the request may or may not have been processed, so the
// client may only retry what is idempotent (every sync request is).
class Transport {
public:
    virtual ~Transport() = default;
    virtual Result<Response> send(const Request& request) = 0;
    // Whether send() may run on another thread while its caller goes on (one
    // request at a time still): the sync client then asks for the next pulled
    // page while it applies the one it has. Off unless a transport says so.
    virtual bool sends_in_background() const { return false; }
    // Another connection to the same store, one request at a time on each: a
    // push batch goes out on one while the answer to the batch ahead of it is
    // awaited on the other (push.follows keeps them in order). Owned by this
    // transport; nullptr when it has none. Called from the syncing thread.
    virtual Transport* second_lane() { return nullptr; }
};

}  // namespace forecourt::sync
