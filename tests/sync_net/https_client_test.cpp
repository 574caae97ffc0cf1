// The tablet's pinned HTTPS client against a real store server on the loopback.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <thread>

#include "net_fixture.hpp"

namespace forecourt::sync::net {
namespace {

using namespace testing;

nlohmann::json parsed(const HttpResponse& response) {
    return nlohmann::json::parse(response.body, nullptr, false);
}

}  // namespace

TEST_CASE("https client: a request and its response make the round trip through TLS") {
    RunningServer running(fast_options(echo_handler()));
    HttpsClient client(running.client_options());

    auto response = client.request("POST", "/v1/sync?cursor=7", "token-123", R"({"push":[]})");
    REQUIRE_MESSAGE(response.ok(), (response.ok() ? "" : response.error().describe()));
    CHECK(response->status == 200);
    CHECK(response->content_type == "application/json");
    auto echo = parsed(*response);
    CHECK(echo["method"] == "POST");
    CHECK(echo["target"] == "/v1/sync?cursor=7");
    CHECK(echo["bearer"] == "token-123");
    CHECK(echo["body"] == R"({"push":[]})");
    CHECK(echo["remote"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("https client: the client sees the fingerprint of the server's certificate") {
    RunningServer running(fast_options(echo_handler()));
    HttpsClient client(running.client_options());
    REQUIRE(client.request("GET", "/v1/ping", "").ok());
    CHECK(client.server_fingerprint() == test_fingerprint());
}

TEST_CASE("https client: consecutive requests share one kept-alive connection") {
    RunningServer running(fast_options(echo_handler()));
    HttpsClient client(running.client_options());
    auto first = client.request("GET", "/v1/ping", "");
    auto second = client.request("GET", "/v1/ping", "");
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(parsed(*first)["remote"] == parsed(*second)["remote"]);
}

TEST_CASE("https client: a connection the server closed while idle is reopened transparently") {
    RunningServer running(fast_options(echo_handler()));  // closes idle ones after 500 ms
    HttpsClient client(running.client_options());
    auto first = client.request("GET", "/v1/ping", "");
    REQUIRE(first.ok());
    // Waits for the server to close it rather than for a time, which a loaded machine may overrun.
    REQUIRE(eventually([&] { return running.server().open_connections() == 0; }));
    auto second = client.request("GET", "/v1/ping", "");
    REQUIRE_MESSAGE(second.ok(), (second.ok() ? "" : second.error().describe()));
    CHECK(parsed(*first)["remote"] != parsed(*second)["remote"]);
}

TEST_CASE("https client: a server with another certificate is refused, naming both fingerprints") {
    auto calls = std::make_shared<std::atomic<int>>(0);
    RunningServer running(fast_options(echo_handler(calls)));
    auto impostor = generate_self_signed({});
    REQUIRE(impostor.ok());
    const std::string expected = *certificate_fingerprint(impostor->certificate_pem);
    ClientOptions options = running.client_options();
    options.pinned_fingerprint = expected;
    HttpsClient client(options);

    auto response = client.request("POST", "/v1/sync", "secret", "{}");
    REQUIRE_FALSE(response.ok());
    CHECK(response.error().code == ErrorCode::tampered);
    CHECK(response.error().domain == ErrorDomain::sync);
    CHECK(response.error().message.find("expected certificate " + expected) != std::string::npos);
    CHECK(response.error().message.find("server presented " + test_fingerprint()) !=
          std::string::npos);
    CHECK(calls->load() == 0);
}

TEST_CASE("https client: an unreadable pinned fingerprint is an invalid argument") {
    RunningServer running(fast_options(echo_handler()));
    ClientOptions options = running.client_options();
    options.pinned_fingerprint = "not a fingerprint";
    HttpsClient client(options);
    auto response = client.request("GET", "/v1/ping", "");
    REQUIRE_FALSE(response.ok());
    CHECK(response.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("https client: nothing listening is reported as offline") {
    ClientOptions options;
    options.host = "127.0.0.1";
    const ClosedPort closed;
    options.port = closed.port();
    options.pinned_fingerprint = test_fingerprint();
    options.connect_timeout = 1s;
    HttpsClient client(options);
    auto response = client.request("GET", "/v1/ping", "");
    REQUIRE_FALSE(response.ok());
    CHECK(response.error().code == ErrorCode::offline);
    CHECK(response.error().domain == ErrorDomain::sync);
}

TEST_CASE("https client: a server that does not answer in time is reported as offline") {
    auto options = fast_options([](const HttpRequest&) {
        std::this_thread::sleep_for(600ms);
        return HttpResponse{};
    });
    RunningServer running(std::move(options));
    ClientOptions client_options = running.client_options();
    client_options.io_timeout = 150ms;
    HttpsClient client(client_options);
    auto response = client.request("GET", "/v1/slow", "");
    REQUIRE_FALSE(response.ok());
    CHECK(response.error().code == ErrorCode::offline);
}

TEST_CASE("https client: a body over the limit gets 413 and never reaches the handler") {
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto options = fast_options(echo_handler(calls));
    options.body_limit = 1024;
    RunningServer running(std::move(options));
    HttpsClient client(running.client_options());

    auto refused = client.request("POST", "/v1/sync", "t", std::string(4096, 'x'));
    REQUIRE_MESSAGE(refused.ok(), (refused.ok() ? "" : refused.error().describe()));
    CHECK(refused->status == 413);
    CHECK(parsed(*refused)["error"]["code"] == "limit_exceeded");
    CHECK(calls->load() == 0);

    auto fits = client.request("POST", "/v1/sync", "t", std::string(1000, 'x'));
    REQUIRE(fits.ok());
    CHECK(fits->status == 200);
    CHECK(calls->load() == 1);
}

TEST_CASE("https client: a handler that throws gets 500 JSON and the server keeps serving") {
    auto options = fast_options([](const HttpRequest& request) {
        if (request.target == "/boom") throw std::runtime_error("disk on fire");
        return HttpResponse{};
    });
    RunningServer running(std::move(options));
    HttpsClient client(running.client_options());

    auto failed = client.request("GET", "/boom", "");
    REQUIRE(failed.ok());
    CHECK(failed->status == 500);
    CHECK(parsed(*failed)["error"]["code"] == "internal");
    CHECK(client.request("GET", "/fine", "")->status == 200);
    CHECK(running.logged("handler_failed"));
}

TEST_CASE("store server log: one JSON line per request, without bodies or tokens") {
    RunningServer running(fast_options(echo_handler()));
    HttpsClient client(running.client_options());
    REQUIRE(
        client.request("POST", "/v1/sync?device=d1", "very-secret-token", "customer-body").ok());
    client.disconnect();
    REQUIRE(eventually([&] { return running.logged("request"); }));

    bool saw_request = false;
    for (const auto& line : running.log_lines()) {
        CHECK(line.find("very-secret-token") == std::string::npos);
        CHECK(line.find("customer-body") == std::string::npos);
        auto entry = nlohmann::json::parse(line, nullptr, false);
        REQUIRE_FALSE(entry.is_discarded());
        CHECK(entry.contains("time"));
        CHECK(entry.contains("level"));
        if (entry["event"] != "request") continue;
        saw_request = true;
        CHECK(entry["status"] == 200);
        CHECK(entry["path"] == "/v1/sync");
        CHECK(entry["duration_ms"].is_number());
        CHECK(entry["remote"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
    }
    CHECK(saw_request);
}

}  // namespace forecourt::sync::net
