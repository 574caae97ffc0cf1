// The store server's request handler end to end, with tablets in-process:
// routing and authentication, idempotent pushes, lost responses, ownership,
// clock re-stamping, pokes and paged pulls.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

namespace {

struct Setup {
    TempDir dir;
    StoreFixture server{dir.path()};
    std::string li = server.add_consultant("李娜");
    std::string zhang = server.add_consultant("张伟");
};

std::string token_of(Tablet& t) { return need(t.client().state()).token; }

std::int64_t count_rows(store::StoreDatabase& store, const std::string& sql) {
    auto q = need(storage::Query::prepare(store.db(), sql));
    need(q->step());
    return q->int64(0);
}

}  // namespace

TEST_CASE("store service: health answers without a token; unknown routes and methods are refused") {
    Setup s;
    auto health = s.server.call("GET", "/v1/health", "", "");
    CHECK(health.response.status == 200);
    CHECK(json::parse(health.response.body)["store_id"] == s.server.store->identity().store_id);
    CHECK(s.server.call("GET", "/v1/nothing", "", "").response.status == 404);
    CHECK(s.server.call("GET", "/v1/sync", "", "").response.status == 405);
    CHECK(s.server.call("DELETE", "/v1/admin/devices", "", s.server.admin_token).response.status == 405);
    const auto no_token = s.server.call("POST", "/v1/sync", R"({"protocol":1})", "");
    CHECK(no_token.response.status == 401);
    CHECK(json::parse(no_token.response.body)["error"]["code"] == "unauthorized");
    // Who sends a body is checked before what it says, though it is decoded first.
    CHECK(s.server.call("POST", "/v1/sync", "{\"protocol\":1,\"push\":[", "").response.status == 401);
}

TEST_CASE("store service: the admin API wants the admin token, and only it") {
    Setup s;
    Tablet t(s.dir.path(), "t");
    t.enrol(s.server, s.li);
    CHECK(s.server.call("GET", "/v1/admin/devices", "", "").response.status == 401);
    CHECK(s.server.call("GET", "/v1/admin/devices", "", token_of(t)).response.status == 403);
    CHECK(s.server.call("GET", "/v1/admin/devices", "", "admin.0000").response.status == 401);
    CHECK(s.server.call("POST", "/v1/sync", R"({"protocol":1})", s.server.admin_token).response.status == 403);
    CHECK(s.server.call("POST", "/v1/sync", "[1,", s.server.admin_token).response.status == 403);
    CHECK(s.server.call("POST", "/v1/sync", "[1,", token_of(t)).response.status == 400);
    auto devices = s.server.admin("GET", "/v1/admin/devices");
    REQUIRE(devices["devices"].size() == 1);
    CHECK(devices["devices"][0]["consultant_id"] == s.li);
}

TEST_CASE("store service: a refused push changes nothing") {
    Setup s;
    Tablet t(s.dir.path(), "t");
    t.enrol(s.server, s.li);
    const auto before = records_of(s.server.store->records(), s.server.store->db());
    const std::string good = R"({"seq":1,"table":"customers","id":"0193a1c0-0000-7000-8000-000000000001",
        "hlc":"019ab3f0c1a20000","fields":{"name":{"value":"王伟","base":null}}})";
    const std::string bad = R"({"seq":2,"table":"customers","id":"0193a1c0-0000-7000-8000-000000000001",
        "hlc":"019ab3f0c1a20000","fields":{"budget":{"value":"lots","base":null}}})";
    auto reply = s.server.call("POST", "/v1/sync", R"({"protocol":1,"push":{"changes":[)" + good + "," + bad + "]}}",
                               token_of(t));
    CHECK(reply.response.status == 422);
    CHECK(refused_seq(reply.response.body) == 2);  // names the change at fault
    CHECK(records_of(s.server.store->records(), s.server.store->db()) == before);
    CHECK(need(s.server.store->devices().list())[0].acked_seq == 0);
}

TEST_CASE("store service: the same batch sent twice is applied once and acknowledged twice") {
    Setup s;
    Tablet t(s.dir.path(), "t");
    t.enrol(s.server, s.li);
    t.register_prospect("王伟", "13800138000");
    auto prepared = need(t.client().prepare());
    REQUIRE(prepared.pushed == 2);  // the customer and its first grade-history entry
    auto first = s.server.call("POST", "/v1/sync", prepared.request.body, prepared.request.bearer_token);
    auto second = s.server.call("POST", "/v1/sync", prepared.request.body, prepared.request.bearer_token);
    auto a = need(sync::decode_sync_response(first.response.body, {}));
    auto b = need(sync::decode_sync_response(second.response.body, {}));
    CHECK(a.push.applied == 2);
    CHECK(b.push.applied == 0);
    CHECK(b.push.duplicates == 2);
    CHECK(a.push.acked_seq == b.push.acked_seq);
    CHECK(count_rows(*s.server.store, "SELECT count(*) FROM change_log WHERE origin_device IS NOT NULL") == 2);
    need(t.client().complete(prepared, second.response));
    CHECK(need(t.book().changes().pending_count()) == 0);
}

TEST_CASE("store service: when the answer is lost, the retry doubles nothing") {
    Setup s;
    Tablet t(s.dir.path(), "t");
    t.enrol(s.server, s.li);
    const auto id = t.register_prospect("王伟", "13800138000");
    need(t.book().record_contact(ContactInput{id, "phone_call", "promote_deal", "likes the SUV", {}, {}, {}, {}}));
    InProcessTransport transport(s.server);
    transport.drop_response = [] { return true; };
    auto lost = t.sync(transport);
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().code == ErrorCode::offline);
    CHECK(need(t.book().changes().pending_count()) > 0);  // nothing drained without an answer
    CHECK(count_rows(*s.server.store, "SELECT count(*) FROM contacts") == 1);  // but the server has it
    transport.drop_response = nullptr;
    need(t.sync(transport));
    CHECK(need(t.book().changes().pending_count()) == 0);
    CHECK(count_rows(*s.server.store, "SELECT count(*) FROM contacts") == 1);
    CHECK(count_rows(*s.server.store, "SELECT count(*) FROM change_log WHERE tbl = 'contacts'") == 1);
    CHECK(records_of(t.book().records(), t.book().db(), s.li) ==
          records_of(s.server.store->records(), s.server.store->db(), s.li));
}

TEST_CASE("store service: a new record is owned by the pushing device's consultant; nobody pushes an owner") {
    Setup s;
    Tablet li(s.dir.path(), "li"), zhang(s.dir.path(), "zhang");
    li.enrol(s.server, s.li);
    zhang.enrol(s.server, s.zhang);
    InProcessTransport transport(s.server);
    const auto id = li.register_prospect("王伟", "13800138000");
    need(li.sync(transport));
    auto owner = need(s.server.store->scope().owner_of(*model::find_table("customers"), id));
    CHECK(owner == s.li);
    const std::string steal = R"({"protocol":1,"push":{"changes":[{"seq":1,"table":"customers","id":")" + id +
                              R"(","hlc":"019ab3f0c1a20000","fields":{"owner_id":{"value":")" + s.zhang +
                              R"(","base":null}}}]}})";
    CHECK(s.server.call("POST", "/v1/sync", steal, token_of(zhang)).response.status == 422);
    const std::string edit = R"({"protocol":1,"push":{"changes":[{"seq":1,"table":"customers","id":")" + id +
                             R"(","hlc":"019ab3f0c1a20000","fields":{"address":{"value":"Pudong","base":null}}}]}})";
    CHECK(s.server.call("POST", "/v1/sync", edit, token_of(zhang)).response.status == 200);
    CHECK(need(s.server.store->scope().owner_of(*model::find_table("customers"), id)) == s.li);
}

TEST_CASE("store service: a tablet whose clock is a year ahead is re-stamped and audited, and converges") {
    Setup s;
    Tablet fast(s.dir.path(), "fast", kStart + 365LL * 24 * 3600 * 1000);
    Tablet right(s.dir.path(), "right");
    fast.enrol(s.server, s.li);
    right.enrol(s.server, s.li);
    InProcessTransport transport(s.server);
    const auto id = fast.register_prospect("王伟", "13800138000");
    auto summary = need(fast.sync(transport));
    auto audit = need(s.server.store->journal().audit_entries(0, 100, "restamp"));
    CHECK(audit.size() == 2);
    auto server_row = need(s.server.store->records().read(*model::find_table("customers"), id));
    auto version = Version::parse((*server_row)["versions"]["name"].get<std::string>());
    CHECK(version->hlc.physical_ms() <= static_cast<std::uint64_t>(kStart + 1000));
    CHECK(version->replica == fast.book().identity().replica_id);
    // A correct clock editing the same field a minute later wins, as it should.
    need(right.sync(transport));
    s.server.clock.advance(60'000);
    right.clock.advance(60'000);
    need(right.book().edit_card(id, {{"address", "from the right clock"}}));
    need(right.sync(transport));
    need(fast.sync(transport));
    CHECK(need(fast.book().customer(id)).address == "from the right clock");
    CHECK(records_of(fast.book().records(), fast.book().db(), s.li) ==
          records_of(s.server.store->records(), s.server.store->db(), s.li));
    CHECK(summary.pushed == 2);
}

TEST_CASE("store service: a push pokes the other devices whose scope it changed") {
    Setup s;
    Tablet a1(s.dir.path(), "a1"), a2(s.dir.path(), "a2"), z(s.dir.path(), "z");
    a1.enrol(s.server, s.li);
    a2.enrol(s.server, s.li);
    z.enrol(s.server, s.zhang);
    InProcessTransport transport(s.server);
    a1.register_prospect("王伟", "13800138000");
    s.server.pokes.clear();
    need(a1.sync(transport));
    REQUIRE(s.server.pokes.size() == 1);
    CHECK(s.server.pokes[0].device_id == a2.book().identity().replica_id);
    CHECK(s.server.pokes[0].poke.cursor == need(s.server.store->log().head()));
    s.server.pokes.clear();
    s.server.admin("POST", "/v1/admin/vehicle-models", {{"models", {{{"name", "Camry 2.5G"}}}}});
    CHECK(s.server.pokes.size() == 3);  // reference data: everyone
}

TEST_CASE("store service: pulls come in bounded pages, and an interrupted pull resumes where it stopped") {
    Setup s;
    Tablet a(s.dir.path(), "a"), b(s.dir.path(), "b");
    a.enrol(s.server, s.li);
    b.enrol(s.server, s.li);
    InProcessTransport transport(s.server);
    for (int i = 0; i < 12; ++i) a.register_prospect("客户" + std::to_string(i), "1380013800" + std::to_string(i % 10));
    need(a.sync(transport));
    sync::ClientOptions small;
    small.pull_limit = 10;
    sync::SyncClient client(b.book(), small);
    auto first = need(client.prepare());
    auto reply = s.server.call("POST", "/v1/sync", first.request.body, first.request.bearer_token);
    auto page = need(client.complete(first, reply.response));
    CHECK(page.pulled == 10);
    CHECK(page.more);
    const auto cursor = need(client.state()).cursor;
    auto second = need(client.prepare());
    CHECK(second.cursor == cursor);
    s.server.call("POST", "/v1/sync", second.request.body, second.request.bearer_token);  // answer lost
    CHECK(need(client.state()).cursor == cursor);
    need(client.sync(transport));
    CHECK(records_of(b.book().records(), b.book().db(), s.li) ==
          records_of(s.server.store->records(), s.server.store->db(), s.li));
}

TEST_CASE("store service: a pull that asks for a count learns how many changes remain after its page") {
    Setup s;
    Tablet a(s.dir.path(), "a"), b(s.dir.path(), "b");
    a.enrol(s.server, s.li);
    b.enrol(s.server, s.li);
    InProcessTransport transport(s.server);
    for (int i = 0; i < 12; ++i) a.register_prospect("客户" + std::to_string(i), "1390013900" + std::to_string(i % 10));
    need(a.sync(transport));
    sync::ClientOptions small;
    small.pull_limit = 10;
    sync::SyncClient client(b.book(), small);

    auto counted = need(client.prepare(true));
    auto reply = s.server.call("POST", "/v1/sync", counted.request.body, counted.request.bearer_token);
    const auto first = need(sync::decode_sync_response(reply.response.body, {}));
    REQUIRE(first.pull.has_value());
    REQUIRE(first.pull->remaining.has_value());
    CHECK(first.pull->more);
    const std::int64_t total = static_cast<std::int64_t>(first.pull->changes.size()) + *first.pull->remaining;
    need(client.complete(counted, reply.response));

    auto uncounted = need(client.prepare());
    reply = s.server.call("POST", "/v1/sync", uncounted.request.body, uncounted.request.bearer_token);
    const auto second = need(sync::decode_sync_response(reply.response.body, {}));
    CHECK_FALSE(second.pull->remaining.has_value());
    auto rest = need(client.complete(uncounted, reply.response));
    std::int64_t pulled = static_cast<std::int64_t>(first.pull->changes.size() + second.pull->changes.size());
    if (rest.more) pulled += need(client.sync(transport)).pulled;
    CHECK(pulled == total);  // the count was exact

    auto last = need(client.prepare(true));
    reply = s.server.call("POST", "/v1/sync", last.request.body, last.request.bearer_token);
    const auto done = need(sync::decode_sync_response(reply.response.body, {}));
    CHECK_FALSE(done.pull->more);
    CHECK(done.pull->remaining == 0);
}

TEST_CASE("store database: keeps the page cache it was opened with; no commit checkpoints the WAL") {
    Setup s;
    // StoreOptions' default: 64 MiB, given to SQLite as a negative size in KiB.
    CHECK(count_rows(*s.server.store, "PRAGMA cache_size") == -64 * 1024);
    // SQLite's automatic checkpoint, run inside a commit, is off on the writer.
    CHECK(count_rows(*s.server.store, "PRAGMA wal_autocheckpoint") == 0);
    store::StoreOptions small;
    small.path = (s.dir.path() / "small.db").string();
    small.cache_kib = 512;
    auto db = need(store::StoreDatabase::create(small, "测试门店"));
    CHECK(count_rows(*db, "PRAGMA cache_size") == -512);
    CHECK(count_rows(*db, "PRAGMA wal_autocheckpoint") == 0);
}

namespace {

// Commits one transaction of `rows` rows, each too large to share a page:
// it adds `rows` pages to the WAL, and a few of the b-tree above them.
void commit_pages(store::StoreDatabase& db, int rows) {
    auto tx = need(storage::Transaction::begin(db.db()));
    for (int i = 0; i < rows; ++i)
        need(db.db().exec("INSERT INTO filler (bytes) VALUES (randomblob(3000))"));
    need(tx.commit());
}

// Waits up to 10 s for the store's checkpoints to reach `at_least`.
bool checkpointed(store::StoreDatabase& db, int at_least) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (db.checkpoints() < at_least && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return db.checkpoints() >= at_least;
}

}  // namespace

TEST_CASE("store database: the WAL is checkpointed beside the writer, at the interval it was opened with") {
    TempDir dir;
    store::StoreOptions options;
    options.path = (dir.path() / "store.db").string();
    options.wal_autocheckpoint_pages = 200;
    need(need(store::StoreDatabase::create(options, "测试门店"))->db().exec(
        "CREATE TABLE filler (bytes BLOB NOT NULL)"));  // closed: the WAL is empty
    auto db = need(store::StoreDatabase::open(options));
    const auto file_size = [&] { return std::filesystem::file_size(options.path); };
    const auto before = file_size();
    commit_pages(*db, 100);
    CHECK(db->checkpoints() == 0);  // 100 pages and a few, fewer than 200
    CHECK(file_size() == before);   // the pages are only in the WAL
    commit_pages(*db, 150);
    REQUIRE(checkpointed(*db, 1));
    CHECK(file_size() >= before + 250 * 4096);  // the pages were copied back
    // Past 200 pages again, another, while the writer goes on.
    for (int i = 0; i < 3; ++i) commit_pages(*db, 100);
    CHECK(checkpointed(*db, 2));
    CHECK(count_rows(*db, "SELECT count(*) FROM filler") == 550);
    db.reset();
    auto reopened = need(store::StoreDatabase::open(options));
    CHECK(count_rows(*reopened, "SELECT count(*) FROM filler") == 550);
    CHECK(count_rows(*reopened, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1);

    // 0: no checkpoint beside the writer (SQLite's own, at closing, remains).
    store::StoreOptions never = options;
    never.path = (dir.path() / "never.db").string();
    never.wal_autocheckpoint_pages = 0;
    auto off = need(store::StoreDatabase::create(never, "测试门店"));
    need(off->db().exec("CREATE TABLE filler (bytes BLOB NOT NULL)"));
    commit_pages(*off, 250);
    CHECK(off->checkpoints() == 0);
}

TEST_CASE("change log: an entry stores its fields in the wire's shape, and entries of earlier layouts still read") {
    Setup s;
    auto& store = *s.server.store;
    const Version edit{Hlc{0x0000019ab3f0c1a2ULL << 16}, "tablet-1"};
    const Version other{Hlc{(0x0000019ab3f0c1a2ULL << 16) + 7}, "tablet-2"};
    store::LogEntry entry{0, 1000, std::string(store::kOpUpsert), "customers", "c-1", s.li,
                          {{"name", "王伟", edit}, {"grade", "A", other}, {"phones", json::array({"13800138000"}), edit}},
                          std::nullopt, 0};
    std::int64_t seq = 0;
    {
        auto tx = need(storage::Transaction::begin(store.db()));
        seq = need(store.log().append(tx, entry));
        // An entry written by an earlier version of the store.
        auto q = need(storage::Query::prepare(store.db(),
            "INSERT INTO change_log (at, op, tbl, record_id, audience, fields) VALUES (2000, 'upsert', "
            "'customers', 'c-2', ?, ?)"));
        q->bind(1, s.li).bind(2, json{{"name", {{"value", "赵敏"}, {"version", edit.to_string()}}},
                                      {"grade", {{"value", "B"}, {"version", "not a version"}}}}.dump());
        need(q->run());
        // The layout after it: [shared version, values, versions that differ].
        auto q2 = need(storage::Query::prepare(store.db(),
            "INSERT INTO change_log (at, op, tbl, record_id, audience, fields) VALUES (3000, 'upsert', "
            "'customers', 'c-3', ?, ?)"));
        q2->bind(1, s.li).bind(2, json::array({edit.to_string(), {{"name", "钱芳"}, {"grade", "H"}},
                                               {{"grade", other.to_string()}}}).dump());
        need(q2->run());
        need(tx.commit());
    }
    auto stored = need(storage::Query::prepare(store.db(), "SELECT fields FROM change_log WHERE seq = ?"));
    stored->bind(1, seq);
    REQUIRE(need(stored->step()));
    const auto text = stored->text(0);
    const json wire_shape{{"fields", {{"name", "王伟"}, {"grade", "A"}, {"phones", {"13800138000"}}}},
                          {"version", edit.to_string()},
                          {"versions", {{"grade", other.to_string()}}}};
    CHECK(json::parse(text) == wire_shape);

    auto page = need(store.log().page(0, {s.li, ""}, 100, 1 << 20));
    std::erase_if(page.entries, [](const auto& e) { return e.table != "customers"; });  // consultants
    REQUIRE(page.entries.size() == 3);
    auto by_name = [](const store::LogEntry& e) {
        std::map<std::string, std::pair<json, std::string>> out;
        for (const auto& f : e.fields) out[f.field] = {f.value, f.version.to_string()};
        return out;
    };
    CHECK(by_name(page.entries[0]) ==
          std::map<std::string, std::pair<json, std::string>>{
              {"name", {"王伟", edit.to_string()}},
              {"grade", {"A", other.to_string()}},
              {"phones", {json::array({"13800138000"}), edit.to_string()}}});
    // The earlier layout: the field with a version that cannot be read is left out.
    CHECK(by_name(page.entries[1]) ==
          std::map<std::string, std::pair<json, std::string>>{{"name", {"赵敏", edit.to_string()}}});
    CHECK(by_name(page.entries[2]) == std::map<std::string, std::pair<json, std::string>>{
                                          {"name", {"钱芳", edit.to_string()}},
                                          {"grade", {"H", other.to_string()}}});

    // A pull sends the current layout as stored, and earlier ones rewritten to it.
    auto wire = need(store.log().wire_page(0, {s.li, ""}, 100, 1 << 20));
    std::erase_if(wire.entries, [](const auto& e) { return e.table != "customers"; });
    REQUIRE(wire.entries.size() == 3);
    CHECK(wire.entries[0].fields == text);
    // What the wire's members say: each field's value and version.
    auto meaning = [](const std::string& fields) {
        const json j = json::parse(fields);
        std::map<std::string, std::pair<json, std::string>> out;
        for (const auto& [name, value] : j.at("fields").items())
            out[name] = {value, j.contains("versions") && j["versions"].contains(name) ? j["versions"][name]
                                                                                        : j.at("version")};
        return out;
    };
    CHECK(meaning(wire.entries[1].fields) == by_name(page.entries[1]));
    CHECK(meaning(wire.entries[2].fields) == by_name(page.entries[2]));
    CHECK(wire.cursor == page.cursor);
    CHECK(wire.more == page.more);
}
