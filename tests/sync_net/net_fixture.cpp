// Fixtures for the transport tests.
#include "net_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>

#include <doctest/doctest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <nlohmann/json.hpp>

namespace forecourt::sync::net::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

const TlsIdentity& test_identity() {
    static const TlsIdentity identity = [] {
        CertificateRequest request;
        request.host_name = "store.test";
        auto generated = generate_self_signed(request);
        REQUIRE(generated.ok());
        return generated.value();
    }();
    return identity;
}

const std::string& test_fingerprint() {
    static const std::string fingerprint =
        certificate_fingerprint(test_identity().certificate_pem).value();
    return fingerprint;
}

RequestHandler echo_handler(std::shared_ptr<std::atomic<int>> calls) {
    return [calls](const HttpRequest& request) {
        if (calls) ++*calls;
        nlohmann::json echo = {{"method", request.method},
                               {"target", request.target},
                               {"bearer", request.bearer_token},
                               {"body", request.body},
                               {"remote", request.remote}};
        HttpResponse response;
        response.body = echo.dump();
        return response;
    };
}

StoreServerOptions fast_options(RequestHandler handler) {
    StoreServerOptions options;
    options.address = "127.0.0.1";
    options.identity = test_identity();
    options.handshake_timeout = 500ms;
    options.request_timeout = 500ms;
    options.write_timeout = 500ms;
    options.socket_idle_timeout = 1s;
    options.shutdown_grace = 2s;
    options.handler = std::move(handler);
    return options;
}

RunningServer::RunningServer(StoreServerOptions options) {
    options.log = [log = log_](const std::string& line) {
        std::lock_guard lock(log->mutex);
        log->lines.push_back(line);
    };
    auto started = StoreServer::start(std::move(options));
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error().describe()));
    server_ = std::move(started).value();
}

ClientOptions RunningServer::client_options() const {
    ClientOptions options;
    options.host = "127.0.0.1";
    options.port = port();
    options.pinned_fingerprint = test_fingerprint();
    options.connect_timeout = 1s;
    options.handshake_timeout = 1s;
    options.io_timeout = 2s;
    return options;
}

std::vector<std::string> RunningServer::log_lines() const {
    std::lock_guard lock(log_->mutex);
    return log_->lines;
}

std::string RunningServer::log_text() const {
    std::string text;
    for (const auto& line : log_lines()) text += line + "\n";
    return text;
}

bool RunningServer::logged(const std::string& event) const {
    for (const auto& line : log_lines()) {
        auto parsed = nlohmann::json::parse(line, nullptr, false);
        if (!parsed.is_discarded() && parsed.value("event", "") == event) return true;
    }
    return false;
}

struct ClosedPort::Impl {
    asio::io_context io;
    tcp::socket socket{io};
};

ClosedPort::ClosedPort() : impl_(std::make_unique<Impl>()) {
    impl_->socket.open(tcp::v4());
    impl_->socket.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = impl_->socket.local_endpoint().port();
}

ClosedPort::~ClosedPort() = default;

struct RawConnection::Impl {
    asio::io_context io;
    asio::ssl::context tls{asio::ssl::context::tls_client};
    asio::ssl::stream<tcp::socket> stream{io, tls};
    bool use_tls = false;

    void connect(std::uint16_t port) {
        stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }
};

RawConnection::RawConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RawConnection::~RawConnection() = default;

std::unique_ptr<RawConnection> RawConnection::plain(std::uint16_t port) {
    auto impl = std::make_unique<Impl>();
    impl->connect(port);
    return std::unique_ptr<RawConnection>(new RawConnection(std::move(impl)));
}

std::unique_ptr<RawConnection> RawConnection::tls(std::uint16_t port) {
    auto impl = std::make_unique<Impl>();
    impl->connect(port);
    impl->stream.handshake(asio::ssl::stream_base::client);
    impl->use_tls = true;
    return std::unique_ptr<RawConnection>(new RawConnection(std::move(impl)));
}

void RawConnection::send(const std::string& bytes) {
    if (impl_->use_tls) {
        asio::write(impl_->stream, asio::buffer(bytes));
    } else {
        asio::write(impl_->stream.next_layer(), asio::buffer(bytes));
    }
}

bool RawConnection::closed_by_server_within(std::chrono::milliseconds timeout) {
    const int fd = impl_->stream.next_layer().native_handle();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd watch{fd, POLLIN, 0};
        if (::poll(&watch, 1, static_cast<int>(left.count())) <= 0) continue;
        char discard[4096];
        ssize_t n = ::recv(fd, discard, sizeof discard, 0);
        if (n <= 0) return true;  // end of stream or reset
    }
}

OpenSockets::~OpenSockets() {
    for (int fd : fds_) ::close(fd);
}

OpenSockets connect_until_refused(std::uint16_t port, int limit, std::atomic<int>& opened) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    OpenSockets sockets;
    while (static_cast<int>(sockets.size()) < limit) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) break;
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            ::close(fd);
            break;
        }
        sockets.add(fd);
        ++opened;
    }
    return sockets;
}

}  // namespace forecourt::sync::net::testing
