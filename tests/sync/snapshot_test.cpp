// A new tablet's first pull: a snapshot of its consultant's scope, paged and
// resumable, then the log from the snapshot's head.
#include <doctest/doctest.h>

#include <set>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

namespace {

sync::ClientOptions snapshot_pages_of(int records, bool snapshot_first = true) {
    sync::ClientOptions options;
    options.pull_limit = records;
    options.snapshot_first = snapshot_first;
    return options;
}

// Li's book (prospects with a visit each) and Zhang's, synced to the store,
// and the store's reference data.
struct TwoBooks {
    TwoBooks() {
        server.admin("POST", "/v1/admin/vehicle-models", {{"models", {{{"name", "Camry 2.5G"}}, {{"name", "RAV4"}}}}});
        writer.enrol(server, li);
        for (int i = 0; i < 6; ++i) {
            const auto id = writer.register_prospect("客户" + std::to_string(i), "1380013800" + std::to_string(i));
            ContactInput visit;
            visit.customer_id = id;
            visit.kind = "phone_call";
            visit.purpose = "promote_deal";
            visit.notes = "看车 " + std::to_string(i);
            need(writer.book().record_contact(visit));
            customers.push_back(id);
        }
        Tablet other(dir.path(), "zhang");
        other.enrol(server, zhang);
        other.register_prospect("赵敏", "13900139000");
        need(writer.sync(transport));
        need(other.sync(transport));
    }
    json scope(const std::string& consultant) {
        return records_of(server.store->records(), server.store->db(), consultant);
    }
    TempDir dir;
    StoreFixture server{dir.path()};
    std::string li = server.add_consultant("李娜");
    std::string zhang = server.add_consultant("张伟");
    Tablet writer{dir.path(), "writer"};
    std::vector<std::string> customers;
    InProcessTransport transport{server};
};

// (table, id) of every record a consultant's snapshot holds, read `limit` at a time.
std::vector<store::WireEntry> whole_snapshot(store::ScopeSnapshot& snapshot, const std::string& consultant,
                                            int limit, int* pages) {
    std::vector<store::WireEntry> out;
    store::SnapshotPosition at;
    for (*pages = 1;; ++*pages) {
        auto page = need(snapshot.page(consultant, at, limit, 1 << 20));
        REQUIRE(static_cast<int>(page.entries.size()) <= limit);
        out.insert(out.end(), page.entries.begin(), page.entries.end());
        if (!page.next) return out;
        CHECK(need(snapshot.count_after(consultant, *page.next)) + static_cast<std::int64_t>(out.size()) ==
              need(snapshot.count_after(consultant, {})));
        at = *page.next;
    }
}

}  // namespace

TEST_CASE("store: a snapshot pages through one consultant's records and the reference data, each once") {
    TwoBooks s;
    int pages = 0;
    const auto entries = whole_snapshot(s.server.store->snapshot(), s.li, 4, &pages);
    const json scope = s.scope(s.li);
    std::set<std::pair<std::string, std::string>> expected, seen;
    for (const auto& [table, rows] : scope.items())
        for (const auto& [id, row] : rows.items()) expected.emplace(table, id);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        CHECK(e.seq == static_cast<std::int64_t>(i) + 1);  // ordinals within the snapshot
        CHECK(e.op == "upsert");
        CHECK(seen.emplace(e.table, e.record_id).second);
        const bool reference = e.table == "consultants" || e.table == "vehicle_models";
        CHECK(e.audience == (reference ? std::nullopt : std::optional<std::string>(s.li)));
    }
    CHECK(seen == expected);
    CHECK(need(s.server.store->snapshot().count_after(s.li, {})) == static_cast<std::int64_t>(expected.size()));
    CHECK(pages == static_cast<int>((expected.size() + 3) / 4));
    // Zhang's one customer is in none of Li's pages.
    CHECK(std::none_of(entries.begin(), entries.end(), [&](const auto& e) {
        return e.table == "customers" && !scope["customers"].contains(e.record_id);
    }));
}

TEST_CASE("store: a snapshot row carries the versions its column holds; a version that does not read is left out") {
    TwoBooks s;
    const std::string id = s.customers[0];
    const auto entry_of = [&]() {
        int pages = 0;
        for (const auto& e : whole_snapshot(s.server.store->snapshot(), s.li, 100, &pages))
            if (e.table == "customers" && e.record_id == id) return json::parse(e.fields);
        FAIL("the customer is not in the snapshot");
        return json();
    };
    const std::string a = entry_of()["version"].get<std::string>();
    std::string b = a;
    b[0] = b[0] == '0' ? '1' : '0';  // another valid stamp
    const auto set_versions = [&](const std::string& versions) {
        auto q = need(storage::Query::prepare(s.server.store->db(), "UPDATE customers SET versions = ? WHERE id = ?"));
        q->bind(1, versions).bind(2, id);
        need(q->run());
    };
    // A later duplicate member wins; a version that is not a string, or not a
    // stamp, is no version; a nested value is skipped whole.
    set_versions(json::object({{"name", "not a stamp"}, {"grade", {{"status", a}}}, {"phones", 3}}).dump()
                     .insert(1, "\"kind\":\"" + a + "\",\"status\":\"" + a + "\",\"status\":\"" + b + "\","));
    const json entry = entry_of();
    CHECK(entry["fields"].size() == 2);
    CHECK(entry["fields"].contains("kind"));
    CHECK(entry["fields"].contains("status"));
    CHECK(entry["version"] == a);
    CHECK(entry["versions"] == json{{"status", b}});
    for (const std::string unreadable : {"[]", "{\"kind\":", "\"kind\"", ""}) {
        CAPTURE(unreadable);
        set_versions(unreadable);
        CHECK(entry_of()["fields"].empty());
    }
}

TEST_CASE("sync client: a new tablet's book from a snapshot equals one from the whole log") {
    TwoBooks s;
    need(s.writer.book().edit_card(s.customers[0], {{"address", "人民路 1 号"}}));
    need(s.writer.sync(s.transport));
    Tablet from_snapshot(s.dir.path(), "snapshot", kStart, storage::Synchronous::full, snapshot_pages_of(3));
    Tablet from_log(s.dir.path(), "log", kStart, storage::Synchronous::full, snapshot_pages_of(3, false));
    from_snapshot.enrol(s.server, s.li);
    from_log.enrol(s.server, s.li);
    BackgroundTransport snapshot_link(s.server), log_link(s.server);
    const auto summary = need(from_snapshot.sync(snapshot_link));
    need(from_log.sync(log_link));
    const json expected = s.scope(s.li);
    CHECK(records_of(from_snapshot.book().records(), from_snapshot.book().db()) == expected);
    CHECK(records_of(from_log.book().records(), from_log.book().db()) == expected);
    // One entry per record: fewer than the log's, which has the edit too.
    std::size_t records = 0;
    for (const auto& [table, rows] : expected.items()) records += rows.size();
    CHECK(summary.pulled == static_cast<int>(records));
    const auto state = need(from_snapshot.client().state());
    CHECK_FALSE(state.snapshot.has_value());
    CHECK(state.cursor == need(s.server.store->log().head()));
    CHECK(snapshot_link.cursors.size() > 2);  // paged: three records a page
}

TEST_CASE("sync client: an interrupted snapshot resumes where it stopped; what changed meanwhile arrives by the log") {
    TwoBooks s;
    Tablet t(s.dir.path(), "t", kStart, storage::Synchronous::full, snapshot_pages_of(3));
    t.enrol(s.server, s.li);
    BackgroundTransport link(s.server);
    link.fail_send = 3;
    REQUIRE_FALSE(t.sync(link).ok());
    const auto stopped = need(t.client().state());
    REQUIRE(stopped.snapshot.has_value());
    CHECK(stopped.cursor == 0);
    CHECK(stopped.snapshot->sent == 6);  // two pages of three applied, with their position
    CHECK(stopped.snapshot->head == need(s.server.store->log().head()));
    // Meanwhile: a customer edited, one registered, one handed to Zhang.
    need(s.writer.book().edit_card(s.customers[0], {{"address", "人民路 1 号"}}));
    const auto added = s.writer.register_prospect("新客户", "13700137000");
    need(s.writer.sync(s.transport));
    s.server.admin("POST", "/v1/admin/handover", {{"from", s.li}, {"to", s.zhang}, {"customers", {s.customers[1]}}});
    // The next sync resumes the snapshot at its position, then pulls the log.
    BackgroundTransport resumed(s.server);
    need(t.sync(resumed));
    CHECK(records_of(t.book().records(), t.book().db()) == s.scope(s.li));
    CHECK(need(t.book().customer(added)).name == "新客户");
    CHECK_FALSE(t.book().customer(s.customers[1]).ok());
    const auto state = need(t.client().state());
    CHECK_FALSE(state.snapshot.has_value());
    CHECK(state.cursor == need(s.server.store->log().head()));
}

TEST_CASE("codec: a snapshot position goes out and back; a bad one is refused with its path") {
    sync::SyncRequest request;
    request.pull = sync::PullRequest{0, 100, true, store::SnapshotPosition{42, "contacts", "c-7", 12}};
    const auto decoded = need(sync::decode_sync_request(sync::encode(request), sync::Limits{}));
    REQUIRE(decoded.pull->snapshot.has_value());
    CHECK(*decoded.pull->snapshot == *request.pull->snapshot);

    sync::SyncResponse response;
    response.store_id = "s";
    response.pull = sync::PullPage{};
    response.pull->more = true;
    response.pull->snapshot = store::SnapshotPosition{42, "customers", "c\"1", 2000};
    CHECK(need(sync::decode_sync_response(sync::encode(response), sync::Limits{})) == response);
    CHECK(need(sync::decode_sync_response_document(sync::encode(response), sync::Limits{})) == response);

    auto refused = [](const json& snapshot) {
        const json body = {{"protocol", 1}, {"pull", {{"cursor", 0}, {"snapshot", snapshot}}}};
        auto r = sync::decode_sync_request(body.dump(), sync::Limits{});
        return r.ok() ? std::string() : r.error().message;
    };
    CHECK(refused({{"head", -1}, {"table", ""}, {"after", ""}, {"sent", 0}}).find("negative") != std::string::npos);
    CHECK(refused({{"head", 1}, {"table", "sqlite_master"}, {"after", ""}, {"sent", 0}}).find("pull.snapshot.table") !=
          std::string::npos);
    CHECK(refused({{"head", 1}, {"table", ""}, {"after", "x"}, {"sent", 0}}).find("needs a table") != std::string::npos);
    CHECK(refused({{"head", 1}, {"table", "customers"}}).find("pull.snapshot.after") != std::string::npos);
    CHECK(refused("start").find("must be an object") != std::string::npos);
}

TEST_CASE("sync client: pages asked for early are taken up, each once, and the book ends as the store's") {
    // (That a page's thread asks for the next before decoding it shows in
    // paged_pull_test.cpp: a page cut short still leads to those requests.)
    TwoBooks s;
    Tablet t(s.dir.path(), "t", kStart, storage::Synchronous::full, snapshot_pages_of(3));
    t.enrol(s.server, s.li);
    BackgroundTransport link(s.server);
    const auto summary = need(t.sync(link));
    CHECK(records_of(t.book().records(), t.book().db()) == s.scope(s.li));
    REQUIRE(summary.rounds > 4);
    // One request per round: every request sent early was the one the sync
    // wanted next, and none went out twice.
    CHECK(static_cast<int>(link.cursors.size()) == summary.rounds);
    for (std::size_t i = 1; i < link.threads.size(); ++i) CHECK(link.threads[i] != std::this_thread::get_id());
}
