// Echoes: what comes back to a tablet of its own push. The store keeps back
// what the tablet already holds exactly; the tablet does not rewrite what it
// holds; and whatever the store decided otherwise reaches it.
#include <doctest/doctest.h>

#include <algorithm>
#include <iterator>
#include <map>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

namespace {

// One round of the tablet's sync, its request and answer in the open.
sync::RoundResult round_trip(Tablet& t, sync::Transport& transport) {
    auto prepared = need(t.client().prepare());
    return need(t.client().complete(prepared, need(transport.send(prepared.request))));
}

// The store's log entries of one tablet's pushes: origin seq -> whether it is an echo.
std::map<std::int64_t, bool> echoes_of(StoreFixture& server, Tablet& t) {
    std::map<std::int64_t, bool> out;
    for (const auto& e : need(server.store->log().by_origin(need(t.client().state()).device_id)))
        out[e.origin_seq] = e.echo;
    return out;
}

bool same_records(Tablet& t, StoreFixture& server, const std::string& owner) {
    return records_of(t.book().records(), t.book().db(), owner) ==
           records_of(server.store->records(), server.store->db(), owner);
}

}  // namespace

TEST_CASE("echoes: a tablet that has pulled everything is not sent its own changes back; its other tablets are") {
    TwoTablets two;
    auto& [dir, server, li, a, b, transport] = two;
    need(a.sync(transport));
    need(b.sync(transport));
    const auto id = a.register_prospect("王伟", "13800138000");
    need(a.book().edit_card(id, {{"address", "解放路 1 号"}}));
    const auto round = round_trip(a, transport);
    const int pushed = round.push.applied;
    CHECK(pushed >= 2);  // the prospect (with its first grade) and the edit
    CHECK(round.pulled == 0);
    const auto echoes = echoes_of(server, a);
    CHECK(static_cast<int>(echoes.size()) == pushed);
    CHECK(std::all_of(echoes.begin(), echoes.end(), [](const auto& e) { return e.second; }));
    CHECK(same_records(a, server, li));

    // b, the same consultant's other tablet, pulls them all.
    const auto pulled = need(b.sync(transport));
    CHECK(pulled.pulled == pushed);
    CHECK(need(b.book().customer(id)).address == "解放路 1 号");
    CHECK(same_records(b, server, li));
    // And the count a pull asks for leaves a's echoes out for a only.
    const store::LogReader for_a{li, need(a.client().state()).device_id};
    const store::LogReader for_b{li, need(b.client().state()).device_id};
    CHECK(need(server.store->log().count_after(0, for_a)) + pushed ==
          need(server.store->log().count_after(0, for_b)));
}

TEST_CASE("echoes: a tablet behind the store gets them back and keeps what it holds unchanged") {
    TwoTablets two;
    auto& [dir, server, li, a, b, transport] = two;
    need(a.sync(transport));
    need(b.sync(transport));
    const auto id = a.register_prospect("王伟", "13800138000");
    b.register_prospect("赵敏", "13900139000");
    const int from_b = need(b.sync(transport)).pushed;  // a has not pulled these yet
    const auto round = round_trip(a, transport);
    const auto echoes = echoes_of(server, a);
    CHECK(static_cast<int>(echoes.size()) == round.push.applied);
    CHECK(std::none_of(echoes.begin(), echoes.end(), [](const auto& e) { return e.second; }));
    CHECK(round.pulled == from_b + round.push.applied);
    CHECK(round.unchanged == round.push.applied);  // a's own, held as sent
    CHECK(need(a.book().customer(id)).name == "王伟");
    CHECK(same_records(a, server, li));
}

TEST_CASE("echoes: a value the store decided otherwise comes back, and so do the batch's later changes of that record") {
    TwoTablets two;
    auto& [dir, server, li, a, b, transport] = two;
    const auto id = two.shared_prospect("王伟", "13800138000");

    // a edits the address offline; b edits it later and syncs first.
    need(a.book().edit_card(id, {{"address", "A's first address"}}));
    two.later(b, 5000);
    need(b.book().edit_card(id, {{"address", "B's address"}}));
    need(b.sync(transport));
    // a pulls (its edit waits in the outbox, kept over b's), then edits again,
    // later than b: one batch carries a's older edit, which loses, and its newer
    // one, which wins.
    const auto cursor = need(a.client().state()).cursor;
    auto pull = need(a.client().prepare_pull(cursor));
    CHECK(need(a.client().complete(pull, need(transport.send(pull.request)))).kept_local == 1);
    need(a.book().edit_card(id, {{"address", "A's second address"}}));
    const auto round = round_trip(a, transport);
    CHECK(round.push.applied == 2);
    CHECK(round.push.conflicts == 2);  // a's first edit lost to b's, b's lost to a's second
    const auto echoes = echoes_of(server, a);
    REQUIRE(echoes.size() >= 2);
    CHECK_FALSE(std::prev(echoes.end(), 2)->second);  // the losing edit came back
    CHECK_FALSE(echoes.rbegin()->second);  // and so did the winning one after it
    CHECK(need(a.book().customer(id)).address == "A's second address");
    CHECK(same_records(a, server, li));
    need(b.sync(transport));
    CHECK(need(b.book().customer(id)).address == "A's second address");
    CHECK(same_records(b, server, li));
}

TEST_CASE("echoes: b's older edit loses to a's newer one, and b gets a's value back") {
    TwoTablets two;
    auto& [dir, server, li, a, b, transport] = two;
    const auto id = two.shared_prospect("王伟", "13800138000");
    need(b.book().edit_card(id, {{"address", "B's address"}}));
    two.later(a, 5000);
    need(a.book().edit_card(id, {{"address", "A's address"}}));
    need(a.sync(transport));
    const auto b_round = round_trip(b, transport);
    CHECK(b_round.unchanged < b_round.pulled);
    CHECK(need(b.book().customer(id)).address == "A's address");
    CHECK(same_records(b, server, li));
}

TEST_CASE("echoes: a store database from before echoes were marked opens, and its entries go to every device") {
    TempDir dir;
    const auto path = (dir.path() / "store.db").string();
    {
        storage::OpenOptions options;
        options.path = path;
        auto db = need(storage::Database::open(options));
        need(storage::migrate(db, store::store_migrations(), 3));
        need(db.exec("INSERT INTO store_meta (key, value) VALUES ('store_id', 's-1'), ('replica_id', 'r-1'), "
                     "('name', 'Forecourt Motors')"));
        need(db.exec("INSERT INTO change_log (at, op, tbl, record_id, audience, fields, origin_device, "
                     "origin_seq) VALUES (1000, 'upsert', 'customers', 'c-1', 'li', "
                     "'[\"0000019ab3f0c1a20000-tablet-1\", {\"name\": \"王伟\"}, {}]', 'tablet-1', 1)"));
    }
    platform::ManualClock clock(kStart, 480);
    store::StoreOptions options;
    options.path = path;
    options.clock = &clock;
    auto store = need(store::StoreDatabase::open(options));
    CHECK(need(store->db().user_version()) == static_cast<int>(store::store_migrations().size()));
    const auto page = need(store->log().page(0, {"li", "tablet-1"}, 10, 1 << 20));
    REQUIRE(page.entries.size() == 1);
    CHECK_FALSE(page.entries[0].echo);
    CHECK(page.entries[0].origin_device == "tablet-1");
}
