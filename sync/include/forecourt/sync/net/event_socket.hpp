// The tablet's WebSocket to its store server, over the same pinned TLS as requests:
// the server pokes it ("your scope changed, sync now") and the tablet listens.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "forecourt/platform/result.hpp"
#include "forecourt/sync/net/https_client.hpp"

namespace forecourt::sync::net {

// Runs on the socket's own thread; keep it short (e.g. schedule a sync).
using MessageCallback = std::function<void(const std::string& text)>;

struct EventSocketOptions {
    ClientOptions connection;
    std::string target = "/v1/events";
    std::string bearer_token;
    // No frame from the server for this long (it pings at half its own idle
    // timeout) means the socket is dead; it then closes and is_open() turns false.
    std::chrono::milliseconds idle_timeout{120'000};
};

class EventSocket {
public:
    // Connects, pins, and upgrades. Errors as HttpsClient's, plus unauthorized when
    // the server refuses the token. With a callback, messages go to it; without,
    // they queue for wait_message().
    static Result<std::unique_ptr<EventSocket>> open(EventSocketOptions options,
                                                     MessageCallback on_message = {});

    ~EventSocket();  // close()
    EventSocket(const EventSocket&) = delete;
    EventSocket& operator=(const EventSocket&) = delete;

    // The next queued message, or nothing when none arrives in time or the socket
    // has closed.
    std::optional<std::string> wait_message(std::chrono::milliseconds timeout);

    bool is_open() const;

    // Sends a close frame, waits briefly for the server's, and joins the thread.
    void close();

    struct Impl;

private:
    explicit EventSocket(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace forecourt::sync::net
