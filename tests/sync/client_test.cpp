// The tablet's sync client: what it sends, what it keeps, what it drains.
#include <doctest/doctest.h>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

namespace {

// Two prospects on one tablet and, between them, a change of the first's
// notes, which a test damages in the outbox before the first sync.
struct NotesBetweenProspects {
    TempDir dir;
    StoreFixture server{dir.path()};
    Tablet t{dir.path(), "t"};
    std::string wang;
    std::int64_t notes_seq = 0;
    std::string zhao;

    NotesBetweenProspects() {
        t.enrol(server, server.add_consultant("李娜"));
        wang = t.register_prospect("王伟", "13800138000");
        need(t.book().edit_card(wang, {{"household_notes", "两个孩子"}}));
        notes_seq = need(storage::query_int64(t.book().db(), "SELECT max(seq) FROM outbox"));
        zhao = t.register_prospect("赵敏", "13900139000");
    }
    // The notes change's fields become the SQL expression `fields_sql`.
    void damage(const std::string& fields_sql) {
        REQUIRE(t.book().db().exec("UPDATE outbox SET fields = " + fields_sql + " WHERE seq = " +
                                   std::to_string(notes_seq)).ok());
    }
    std::optional<json> on_server(const std::string& id) {
        return need(server.store->records().read(*model::find_table("customers"), id));
    }
};

}  // namespace

TEST_CASE("sync client: an unenrolled book cannot sync") {
    TempDir dir;
    Tablet t(dir.path(), "t");
    auto prepared = t.client().prepare();
    REQUIRE_FALSE(prepared.ok());
    CHECK(prepared.error().code == ErrorCode::invalid_state);
}

TEST_CASE("sync client: a pulled change waits behind an unsynced local edit until the server settles it") {
    TwoTablets two;
    auto& [dir, server, li, a, b, transport] = two;
    const auto id = two.shared_prospect("王伟", "13800138000");
    // b edits offline: first the notes, then the address (an older clock than a's).
    need(b.book().edit_card(id, {{"household_notes", "prefers weekends"}}));
    need(b.book().edit_card(id, {{"address", "B's address"}}));
    two.later(a, 5000);
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

TEST_CASE("sync client: a change the store refuses is set aside and kept, and the others sync") {
    NotesBetweenProspects scene;
    auto& t = scene.t;
    const auto& wang = scene.wang;
    const auto notes_seq = scene.notes_seq;
    // The notes change as a tablet of another version might send it: a value
    // of a type this store does not take for the field.
    scene.damage("json_set(fields, '$.household_notes.value', 42)");
    REQUIRE(need(t.book().customer(wang)).household_notes == std::optional<std::string>("两个孩子"));
    const auto waiting = need(t.book().changes().pending_count());

    InProcessTransport transport(scene.server);
    const auto summary = need(t.sync(transport));
    CHECK(summary.refused == 1);
    CHECK(summary.pushed == waiting - 1);  // both prospects, around the refused change
    CHECK(need(t.book().changes().pending_count()) == 0);
    auto refused = need(t.book().changes().refused(10));
    REQUIRE(refused.size() == 1);
    CHECK(refused[0].change.seq == notes_seq);
    CHECK(refused[0].change.record_id == wang);
    REQUIRE(refused[0].change.fields.size() == 1);
    CHECK(refused[0].change.fields[0].value == 42);  // kept whole, as it was pushed
    CHECK(refused[0].reason.find("household_notes") != std::string::npos);
    CHECK(refused[0].refused_at == t.clock.now_ms());
    // The store has both prospects and never saw the refused value.
    auto on_server = [&](const std::string& id) { return scene.on_server(id); };
    REQUIRE(on_server(wang).has_value());
    REQUIRE(on_server(scene.zhao).has_value());
    CHECK(on_server(wang)->value("household_notes", json()).is_null());
    // The tablet converges on the store's card; the refused value lives on in
    // outbox_refused (checked above), listed by `tablet status`.
    CHECK_FALSE(need(t.book().customer(wang)).household_notes.has_value());

    // The next sync has nothing left to refuse; later edits of the record sync.
    need(t.book().edit_card(wang, {{"household_notes", "两个孩子, 周末有空"}}));
    const auto again = need(t.sync(transport));
    CHECK(again.refused == 0);
    CHECK(again.pushed == 1);
    CHECK(on_server(wang)->value("household_notes", json()) == "两个孩子, 周末有空");
    CHECK(need(t.book().changes().refused_count()) == 1);

    // Queued again (after a store upgrade, say) it goes back in the outbox
    // under a new seq; this store still refuses it, and it is set aside again.
    {
        auto tx = need(storage::Transaction::begin(t.book().db()));
        CHECK(need(t.book().changes().requeue_refused(tx)) == 1);
        need(tx.commit());
    }
    CHECK(need(t.book().changes().refused_count()) == 0);
    const auto requeued = outbox_of(t.book());
    REQUIRE(requeued.size() == 1);
    CHECK(requeued[0]["seq"].get<std::int64_t>() > notes_seq);
    const auto third = need(t.sync(transport));
    CHECK(third.refused == 1);
    auto again_refused = need(t.book().changes().refused(10));
    REQUIRE(again_refused.size() == 1);
    CHECK(again_refused[0].change.seq == requeued[0]["seq"].get<std::int64_t>());
    CHECK(again_refused[0].change.fields[0].value == 42);
}

TEST_CASE("sync client: an outbox row whose text is not a JSON object is refused alone, not the batch") {
    NotesBetweenProspects scene;
    auto& t = scene.t;
    const auto waiting = need(t.book().changes().pending_count());
    for (const std::string damaged : {"{\"household_notes\":", "[1,2]", ""}) {
        CAPTURE(damaged);
        scene.damage("'" + damaged + "'");
        const auto stored = need(t.book().changes().pending_stored(0, 100));
        REQUIRE(stored.size() == static_cast<std::size_t>(waiting));
        for (const auto& c : stored) CHECK((c.seq == scene.notes_seq ? c.fields == "{}" : c.fields.size() > 2));
    }

    InProcessTransport transport(scene.server);
    const auto summary = need(t.sync(transport));
    CHECK(summary.refused == 1);
    CHECK(summary.pushed == waiting - 1);
    CHECK(need(t.book().changes().pending_count()) == 0);
    auto refused = need(t.book().changes().refused(10));
    REQUIRE(refused.size() == 1);
    CHECK(refused[0].change.seq == scene.notes_seq);
    CHECK(refused[0].reason.find("fields is empty") != std::string::npos);
    REQUIRE(scene.on_server(scene.wang).has_value());
    REQUIRE(scene.on_server(scene.zhao).has_value());
    CHECK(scene.on_server(scene.wang)->value("household_notes", json()).is_null());
}

TEST_CASE("sync client: a refusal naming a change it did not send sets nothing aside") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = server.add_consultant("李娜");
    Tablet t(dir.path(), "t");
    t.enrol(server, li);
    t.register_prospect("王伟", "13800138000");
    auto prepared = need(t.client().prepare());
    const auto before = outbox_of(t.book());
    for (std::int64_t seq : {prepared.last_seq + 1, std::int64_t{0}, std::int64_t{-3}}) {
        CAPTURE(seq);
        const std::string body = "{\"error\":{\"code\":\"invalid_argument\",\"message\":\"no\",\"seq\":" +
                                 std::to_string(seq) + "}}";
        auto failed = t.client().complete(prepared, sync::Response{422, body});
        REQUIRE_FALSE(failed.ok());
        CHECK(failed.error().code == ErrorCode::invalid_argument);
        CHECK(outbox_of(t.book()) == before);
        CHECK(need(t.book().changes().refused_count()) == 0);
    }
}

TEST_CASE("sync client: a push batch holds what fits in its byte budget, at least one change") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = server.add_consultant("李娜");
    sync::ClientOptions budget;
    budget.batch_bytes = 1500;  // a few prospects' worth of JSON
    Tablet t(dir.path(), "t", kStart, storage::Synchronous::full, budget);
    t.enrol(server, li);
    for (int i = 0; i < 12; ++i) t.register_prospect("客户" + std::to_string(i), "138001380" + std::to_string(10 + i));
    const auto outbox = need(t.book().changes().pending_count());

    const auto prepared = need(t.client().prepare());
    CHECK(prepared.pushed >= 1);
    CHECK(prepared.pushed < static_cast<std::size_t>(outbox));
    // The batch stops before the change that would overflow the budget.
    CHECK(prepared.request.body.size() < 1500 + 400);
    const auto first = json::parse(prepared.request.body)["push"]["changes"];
    CHECK(first.size() == prepared.pushed);
    CHECK(first[0]["seq"].get<std::int64_t>() == prepared.first_seq);

    InProcessTransport transport(server);
    const auto summary = need(t.sync(transport));
    CHECK(summary.pushed == outbox);
    CHECK(summary.rounds > 2);
    CHECK(need(t.book().changes().pending_count()) == 0);

    // A budget smaller than any change still sends one change per round.
    Tablet tiny(dir.path(), "tiny", kStart, storage::Synchronous::full, [] {
        sync::ClientOptions o;
        o.batch_bytes = 10;
        return o;
    }());
    tiny.enrol(server, li);
    tiny.register_prospect("赵敏", "13900139000");
    tiny.register_prospect("钱坤", "13900139001");
    CHECK(need(tiny.client().prepare()).pushed == 1);
}
