// Fixtures for the transport tests: a test TLS identity, a store server on an
// ephemeral loopback port with short timeouts, and raw misbehaving connections.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "forecourt/sync/net/https_client.hpp"
#include "forecourt/sync/net/store_server.hpp"

namespace forecourt::sync::net::testing {

using namespace std::chrono_literals;

// Generated once per test run; ECDSA generation is fast but not free.
const TlsIdentity& test_identity();
const std::string& test_fingerprint();

// Answers 200 with {"method","target","bearer","body","remote"} of the request.
RequestHandler echo_handler(std::shared_ptr<std::atomic<int>> calls = nullptr);

// 127.0.0.1, port 0, timeouts in the hundreds of milliseconds.
StoreServerOptions fast_options(RequestHandler handler);

// A started server whose log lines are kept for assertions.
class RunningServer {
public:
    explicit RunningServer(StoreServerOptions options);
    StoreServer& server() { return *server_; }
    std::uint16_t port() const { return server_->port(); }
    ClientOptions client_options() const;
    std::vector<std::string> log_lines() const;
    bool logged(const std::string& event) const;
    std::string log_text() const;  // every line so far, for failure messages

private:
    struct Log {
        mutable std::mutex mutex;
        std::vector<std::string> lines;
    };
    std::shared_ptr<Log> log_ = std::make_shared<Log>();
    std::unique_ptr<StoreServer> server_;
};

// A port on 127.0.0.1 that nothing listens on: a socket holds it bound
// without listening for as long as the object lives, so a connection to it is
// refused and no other test can take the port meanwhile.
class ClosedPort {
public:
    ClosedPort();
    ~ClosedPort();
    ClosedPort(const ClosedPort&) = delete;
    ClosedPort& operator=(const ClosedPort&) = delete;
    std::uint16_t port() const { return port_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::uint16_t port_ = 0;
};

// Waits until the condition holds, polling; false if it never does in time.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 3s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// A connection that misbehaves on purpose: plain TCP, or TLS then raw bytes.
class RawConnection {
public:
    static std::unique_ptr<RawConnection> plain(std::uint16_t port);
    static std::unique_ptr<RawConnection> tls(std::uint16_t port);
    ~RawConnection();

    void send(const std::string& bytes);
    // True when the server closes the connection within the timeout; whatever the
    // server sends meanwhile (a TLS session ticket, a response) is discarded.
    bool closed_by_server_within(std::chrono::milliseconds timeout);

    struct Impl;

private:
    explicit RawConnection(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Plain TCP connections held open until destroyed.
class OpenSockets {
public:
    OpenSockets() = default;
    OpenSockets(OpenSockets&& other) noexcept : fds_(std::move(other.fds_)) {}
    OpenSockets(const OpenSockets&) = delete;
    OpenSockets& operator=(const OpenSockets&) = delete;
    ~OpenSockets();
    void add(int fd) { fds_.push_back(fd); }
    std::size_t size() const { return fds_.size(); }

private:
    std::vector<int> fds_;
};

// Connects to the port on 127.0.0.1 again and again, counting in `opened`, until
// a connection is refused or `limit` are open.
OpenSockets connect_until_refused(std::uint16_t port, int limit, std::atomic<int>& opened);

}  // namespace forecourt::sync::net::testing
