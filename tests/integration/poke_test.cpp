// A watching tablet is poked over its WebSocket when another tablet's sync
// changes its scope, and pulls the change.
#include <doctest/doctest.h>

#include "forecourt/sync/net/event_socket.hpp"
#include "live_store.hpp"

namespace forecourt::testing {

using namespace std::chrono_literals;

TEST_CASE("pokes: a watching tablet is poked and pulls what another tablet pushed") {
    TempDir dir;
    LiveStore store(dir);
    LiveTablet a(dir, "a");
    LiveTablet b(dir, "b");
    const auto consultant = store.add_consultant("李娜");
    a.enrol_for(store, consultant);
    b.enrol_for(store, consultant);
    REQUIRE(b.sync().ok());

    sync::net::EventSocketOptions options;
    options.connection = store.client_options();
    options.bearer_token = b.token();
    auto socket = need(sync::net::EventSocket::open(options), "open socket");

    const auto customer = a.register_prospect("王伟", "13800138000");
    REQUIRE(a.sync().ok());
    auto poke = socket->wait_message(5s);
    REQUIRE(poke.has_value());
    CHECK(poke->find("\"poke\"") != std::string::npos);
    auto pulled = b.sync();
    REQUIRE(pulled.ok());
    CHECK(pulled->pulled > 0);
    CHECK(b.records()["customers"].contains(customer));
}

TEST_CASE("pokes: a socket with another device's forged token is refused") {
    TempDir dir;
    LiveStore store(dir);
    sync::net::EventSocketOptions options;
    options.connection = store.client_options();
    options.bearer_token = "0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b." + std::string(64, 'a');
    auto socket = sync::net::EventSocket::open(options);
    REQUIRE_FALSE(socket.ok());
    CHECK(socket.error().code == ErrorCode::unauthorized);
}

}  // namespace forecourt::testing
