// The store server under misbehaving clients, at its connection limit, and while
// it shuts down.
#include <doctest/doctest.h>

#include <future>
#include <thread>

#include "net_fixture.hpp"

namespace forecourt::sync::net {
namespace {

using namespace testing;

bool serves(RunningServer& running) {
    HttpsClient client(running.client_options());
    auto response = client.request("GET", "/v1/ping", "");
    return response.ok() && response->status == 200;
}

}  // namespace

TEST_CASE("store server: a client that stalls mid-request is cut off while others are served") {
    RunningServer running(fast_options(echo_handler()));  // 500 ms to read a request
    auto stalled = RawConnection::tls(running.port());
    const auto start = std::chrono::steady_clock::now();
    stalled->send("POST /v1/sync HTTP/1.1\r\nHost: store\r\nContent-Length: 100\r\n\r\n{\"pu");

    CHECK(serves(running));
    CHECK(stalled->closed_by_server_within(3s));
    CHECK(std::chrono::steady_clock::now() - start >= 400ms);
    CHECK(eventually([&] { return running.logged("request_timeout"); }));
    CHECK(serves(running));
}

TEST_CASE("store server: a client that does not speak TLS is dropped and others are served") {
    RunningServer running(fast_options(echo_handler()));
    auto plain = RawConnection::plain(running.port());
    plain->send("GET /v1/ping HTTP/1.1\r\nHost: store\r\n\r\n");

    CHECK(plain->closed_by_server_within(3s));
    CHECK(eventually([&] { return running.logged("tls_handshake_failed"); }));
    CHECK(serves(running));
}

TEST_CASE("store server: connections beyond the limit are closed at once") {
    auto options = fast_options(echo_handler());
    options.max_connections = 2;
    options.request_timeout = 5s;
    RunningServer running(std::move(options));
    auto first = RawConnection::tls(running.port());
    auto second = RawConnection::tls(running.port());
    REQUIRE(eventually([&] { return running.server().open_connections() == 2; }));

    auto third = RawConnection::plain(running.port());
    CHECK(third->closed_by_server_within(1s));
    CHECK(running.logged("connection_refused"));
    HttpsClient refused(running.client_options());
    auto response = refused.request("GET", "/v1/ping", "");
    REQUIRE_FALSE(response.ok());
    CHECK(response.error().code == ErrorCode::offline);

    first.reset();
    CHECK(eventually([&] { return serves(running); }));
}

TEST_CASE("store server: stop lets a request in flight finish, then refuses connections") {
    std::promise<void> entered;
    auto entered_future = entered.get_future();
    auto options = fast_options([&entered](const HttpRequest&) {
        entered.set_value();
        std::this_thread::sleep_for(300ms);
        HttpResponse response;
        response.body = R"({"done":true})";
        return response;
    });
    RunningServer running(std::move(options));
    const ClientOptions client_options = running.client_options();

    auto in_flight = std::async(std::launch::async, [&] {
        HttpsClient client(client_options);
        return client.request("POST", "/v1/sync", "t", "{}");
    });
    REQUIRE(entered_future.wait_for(3s) == std::future_status::ready);
    running.server().stop();

    REQUIRE(in_flight.wait_for(3s) == std::future_status::ready);
    auto response = in_flight.get();
    REQUIRE_MESSAGE(response.ok(), (response.ok() ? "" : response.error().describe()));
    CHECK(response->status == 200);
    CHECK(response->body == R"({"done":true})");

    HttpsClient late(client_options);
    auto refused = late.request("GET", "/v1/ping", "");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::offline);
}

TEST_CASE("store server: stop closes idle kept-alive connections without waiting for them") {
    auto options = fast_options(echo_handler());
    options.request_timeout = 30s;   // how long the idle connection would otherwise stay
    options.handshake_timeout = 5s;  // how long stop waits for connections to close
    RunningServer running(std::move(options));
    INFO("server log:\n" << running.log_text());
    auto idle = RawConnection::tls(running.port());
    REQUIRE(running.server().open_connections() >= 1);
    const auto start = std::chrono::steady_clock::now();
    running.server().stop();
    CHECK(std::chrono::steady_clock::now() - start < 2500ms);
    CHECK(idle->closed_by_server_within(1s));
    CHECK(running.server().open_connections() == 0);
}

TEST_CASE("store server: stop closes connections accepted while it stops") {
    // A connection stop did not close would hold it for the handshake timeout.
    auto options = fast_options(echo_handler());
    options.handshake_timeout = 5s;
    options.request_timeout = 30s;
    options.max_connections = 1024;
    for (int round = 0; round < 20; ++round) {
        CAPTURE(round);
        RunningServer running(options);
        INFO("server log:\n" << running.log_text());
        std::atomic<int> opened{0};
        auto storm = std::async(std::launch::async, [port = running.port(), &opened] {
            return connect_until_refused(port, 250, opened);
        });
        REQUIRE(eventually([&] { return opened.load() >= 20; }));
        const auto start = std::chrono::steady_clock::now();
        running.server().stop();
        const auto took = std::chrono::steady_clock::now() - start;
        CHECK(took < 2500ms);
        CHECK(running.server().open_connections() == 0);
        storm.get();
    }
}

TEST_CASE("store server: a port already in use is a clear error") {
    RunningServer running(fast_options(echo_handler()));
    auto options = fast_options(echo_handler());
    options.port = running.port();
    auto second = StoreServer::start(std::move(options));
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().code == ErrorCode::already_exists);
    CHECK(second.error().message.find(std::to_string(running.port())) != std::string::npos);
}

TEST_CASE("store server: a server without a handler or with a bad address does not start") {
    auto no_handler = fast_options(nullptr);
    CHECK(StoreServer::start(std::move(no_handler)).error().code == ErrorCode::invalid_argument);
    auto bad_address = fast_options(echo_handler());
    bad_address.address = "store.local";
    CHECK(StoreServer::start(std::move(bad_address)).error().code == ErrorCode::invalid_argument);
}

}  // namespace forecourt::sync::net
