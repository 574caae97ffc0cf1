// Device event sockets: authentication, pokes, shutdown and dead-device cleanup.
#include <doctest/doctest.h>

#include <future>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "forecourt/sync/net/event_socket.hpp"
#include "net_fixture.hpp"

namespace forecourt::sync::net {
namespace {

using namespace testing;

StoreServerOptions options_with_devices() {
    auto options = fast_options(echo_handler());
    options.authenticate_socket = [](const std::string& token) -> std::optional<std::string> {
        if (token == "token-ana") return "tablet-ana";
        if (token == "token-ben") return "tablet-ben";
        return std::nullopt;
    };
    return options;
}

EventSocketOptions socket_options(const RunningServer& running, std::string token) {
    EventSocketOptions options;
    options.connection = running.client_options();
    options.bearer_token = std::move(token);
    return options;
}

}  // namespace

TEST_CASE("event socket: a token the server does not know is refused with 401") {
    RunningServer running(options_with_devices());
    auto opened = EventSocket::open(socket_options(running, "token-stolen"));
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == ErrorCode::unauthorized);
    CHECK(eventually([&] { return running.server().open_connections() == 0; }));
}

TEST_CASE("event socket: an enrolled device receives the pokes meant for it") {
    RunningServer running(options_with_devices());
    auto ana = EventSocket::open(socket_options(running, "token-ana"));
    auto ben = EventSocket::open(socket_options(running, "token-ben"));
    REQUIRE_MESSAGE(ana.ok(), (ana.ok() ? "" : ana.error().describe()));
    REQUIRE(ben.ok());

    CHECK(running.server().poke("tablet-ana", R"({"type":"scope_changed"})") == 1);
    CHECK((*ana)->wait_message(2s) == std::optional<std::string>(R"({"type":"scope_changed"})"));
    CHECK_FALSE((*ben)->wait_message(200ms).has_value());
    CHECK(running.server().poke("tablet-nobody", "{}") == 0);
    CHECK(running.logged("socket_opened"));
}

TEST_CASE("event socket: every socket of a device gets the poke, by callback too") {
    RunningServer running(options_with_devices());
    std::promise<std::string> heard;
    auto heard_future = heard.get_future();
    auto queued = EventSocket::open(socket_options(running, "token-ana"));
    auto called = EventSocket::open(socket_options(running, "token-ana"),
                                    [&heard](const std::string& text) { heard.set_value(text); });
    REQUIRE(queued.ok());
    REQUIRE(called.ok());

    CHECK(running.server().poke("tablet-ana", "sync") == 2);
    CHECK((*queued)->wait_message(2s) == std::optional<std::string>("sync"));
    REQUIRE(heard_future.wait_for(2s) == std::future_status::ready);
    CHECK(heard_future.get() == "sync");
}

TEST_CASE("event socket: closing from the tablet ends the server's socket") {
    RunningServer running(options_with_devices());
    auto ana = EventSocket::open(socket_options(running, "token-ana"));
    REQUIRE(ana.ok());
    (*ana)->close();
    CHECK_FALSE((*ana)->is_open());
    CHECK(eventually([&] { return running.server().poke("tablet-ana", "x") == 0; }));
    CHECK(eventually([&] { return running.logged("socket_closed"); }));
}

TEST_CASE("event socket: server stop closes the device's socket promptly") {
    RunningServer running(options_with_devices());
    auto ana = EventSocket::open(socket_options(running, "token-ana"));
    REQUIRE(ana.ok());
    const auto start = std::chrono::steady_clock::now();
    running.server().stop();
    CHECK(std::chrono::steady_clock::now() - start < 1500ms);
    CHECK(eventually([&] { return !(*ana)->is_open(); }, 2s));
}

TEST_CASE("event socket: a socket upgraded just as the server stops is closed, not left open") {
    // The token is checked between reading the upgrade request and registering
    // the socket: the stop begins there, and closes every connection it knows
    // of before the socket is registered. A socket registered after that would
    // hold the stop for the handshake timeout.
    auto options = options_with_devices();
    options.handshake_timeout = 5s;
    std::promise<void> upgrading;
    auto upgrading_now = upgrading.get_future();
    std::atomic<bool> asked{false};
    options.authenticate_socket = [&](const std::string& token) -> std::optional<std::string> {
        if (token != "token-ana" || asked.exchange(true)) return std::nullopt;
        upgrading.set_value();
        std::this_thread::sleep_for(300ms);  // meanwhile the stop begins
        return "tablet-ana";
    };
    RunningServer running(std::move(options));
    auto stopping = std::async(std::launch::async, [&] {
        upgrading_now.wait();
        const auto start = std::chrono::steady_clock::now();
        running.server().stop();
        return std::chrono::steady_clock::now() - start;
    });
    auto opening = socket_options(running, "token-ana");
    opening.connection.handshake_timeout = 2s;
    auto opened = EventSocket::open(opening);
    const auto took = stopping.get();
    INFO("server log:\n" << running.log_text());
    CHECK(took < 2500ms);
    CHECK(running.server().open_connections() == 0);
    CHECK(running.logged("connection_refused"));
    if (opened.ok()) CHECK(eventually([&] { return !(*opened)->is_open(); }, 2s));
}

TEST_CASE("event socket: a device that stops answering pings is dropped after the idle timeout") {
    namespace beast = boost::beast;
    namespace asio = boost::asio;
    RunningServer running(options_with_devices());  // 1 s idle timeout
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    beast::websocket::stream<beast::ssl_stream<asio::ip::tcp::socket>> mute(io, tls);
    beast::get_lowest_layer(mute).connect({asio::ip::make_address("127.0.0.1"), running.port()});
    mute.next_layer().handshake(asio::ssl::stream_base::client);
    mute.set_option(
        beast::websocket::stream_base::decorator([](beast::websocket::request_type& request) {
            request.set(beast::http::field::authorization, "Bearer token-ben");
        }));
    mute.handshake("store", "/v1/events");
    REQUIRE(running.server().open_connections() == 1);

    // Never reading means never answering the server's pings.
    CHECK(eventually([&] { return running.server().open_connections() == 0; }, 4s));
    CHECK(running.server().poke("tablet-ben", "x") == 0);
}

}  // namespace forecourt::sync::net
