// The tablet's sync client: what it sends, what it keeps, what it drains.
#include <doctest/doctest.h>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

TEST_CASE("sync client: an unenrolled book cannot sync") {
    TempDir dir;
    Tablet t(dir.path(), "t");
    auto prepared = t.client().prepare();
    REQUIRE_FALSE(prepared.ok());
    CHECK(prepared.error().code == ErrorCode::invalid_state);
}

TEST_CASE("sync client: a pulled change waits behind an unsynced local edit until the server settles it") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = server.add_consultant("李娜");
    Tablet a(dir.path(), "a"), b(dir.path(), "b");
    a.enrol(server, li);
    b.enrol(server, li);
    InProcessTransport transport(server);
    const auto id = a.register_prospect("王伟", "13800138000");
    need(a.sync(transport));
    need(b.sync(transport));
    // b edits offline: first the notes, then the address (an older clock than a's).
    need(b.book().edit_card(id, {{"household_notes", "prefers weekends"}}));
    need(b.book().edit_card(id, {{"address", "B's address"}}));
    a.clock.advance(5000);
    server.clock.advance(5000);
    need(a.book().edit_card(id, {{"address", "A's address"}}));
    need(a.sync(transport));

    sync::ClientOptions one_at_a_time;
    one_at_a_time.batch_size = 1;
    sync::SyncClient client(b.book(), one_at_a_time);
    auto first = need(client.prepare());
    CHECK(first.pushed == 1);
    auto round = need(client.complete(first, need(transport.send(first.request))));
    CHECK(round.kept_local == 1);
    CHECK(round.more);
    CHECK(need(b.book().customer(id)).address == "B's address");  // not overwritten while unsynced

    need(client.sync(transport));
    CHECK(need(b.book().customer(id)).address == "A's address");  // the server's decision
    CHECK(need(b.book().customer(id)).household_notes == "prefers weekends");
    auto conflicts = need(server.store->journal().conflicts(0, 10));
    REQUIRE(conflicts.size() == 1);
    CHECK(conflicts[0].loser_value == "B's address");
    CHECK(records_of(b.book().records(), b.book().db(), li) ==
          records_of(server.store->records(), server.store->db(), li));
}

TEST_CASE("sync client: the outbox drains only up to what the server acknowledged") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = server.add_consultant("李娜");
    Tablet t(dir.path(), "t");
    t.enrol(server, li);
    t.register_prospect("王伟", "13800138000");
    auto prepared = need(t.client().prepare());
    t.register_prospect("赵敏", "13900139000");  // written while the request was in flight
    auto reply = server.call("POST", "/v1/sync", prepared.request.body, prepared.request.bearer_token);
    auto round = need(t.client().complete(prepared, reply.response));
    CHECK(round.push.acked_seq == prepared.last_seq);
    CHECK(need(t.book().changes().pending_count()) == 2);
    CHECK(round.more);
}

TEST_CASE("sync client: an error answer changes nothing but the recorded error") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = server.add_consultant("李娜");
    Tablet t(dir.path(), "t");
    t.enrol(server, li);
    t.register_prospect("王伟", "13800138000");
    auto prepared = need(t.client().prepare());
    const auto before = outbox_of(t.book());
    auto failed = t.client().complete(prepared, sync::Response{500, "{\"error\":{\"code\":\"internal\",\"message\":\"x\"}}"});
    REQUIRE_FALSE(failed.ok());
    CHECK(outbox_of(t.book()) == before);
    CHECK(need(t.client().state()).last_error.has_value());
    auto garbage = t.client().complete(prepared, sync::Response{200, "{\"protocol\":1}"});
    REQUIRE_FALSE(garbage.ok());
    CHECK(garbage.error().code == ErrorCode::protocol);
    CHECK(outbox_of(t.book()) == before);
}
