// Tablets editing offline and syncing through a live server converge on the
// same state, with every overwritten value in the conflicts log.
#include <doctest/doctest.h>

#include "live_store.hpp"

namespace forecourt::testing {

using nlohmann::json;

namespace {

// Two tablets of one consultant holding the same customer.
struct TwoTablets {
    TempDir dir;
    LiveStore store{dir};
    LiveTablet a{dir, "a"};
    LiveTablet b{dir, "b"};
    std::string customer;

    TwoTablets() {
        const auto consultant = store.add_consultant("李娜");
        a.enrol_for(store, consultant);
        b.enrol_for(store, consultant);
        customer = a.register_prospect("王伟", "13800138000");
        REQUIRE(a.sync().ok());
        REQUIRE(b.sync().ok());
        REQUIRE(b.records()["customers"].contains(customer));
    }

    void sync_all(bool a_first) {
        LiveTablet& first = a_first ? a : b;
        LiveTablet& second = a_first ? b : a;
        REQUIRE(first.sync().ok());
        REQUIRE(second.sync().ok());
        REQUIRE(first.sync().ok());
    }

    json card(LiveTablet& t) { return t.records()["customers"][customer]; }
    json store_card() { return store.records()["customers"][customer]; }
};

}  // namespace

TEST_CASE("convergence: the same field edited on two tablets ends the same everywhere, loser logged") {
    for (bool a_first : {true, false}) {
        CAPTURE(a_first);
        TwoTablets t;
        REQUIRE(t.a.book().edit_card(t.customer, {{"company", "Alpha Trading"}}).ok());
        REQUIRE(t.b.book().edit_card(t.customer, {{"company", "Beta Logistics"}}).ok());
        t.sync_all(a_first);
        const auto kept = t.store_card()["company"];
        CHECK(t.card(t.a)["company"] == kept);
        CHECK(t.card(t.b)["company"] == kept);
        const auto conflicts = t.store.conflicts();
        REQUIRE(conflicts.size() == 1);
        CHECK(conflicts[0]["field"] == "company");
        CHECK(conflicts[0]["winner"]["value"] == kept);
        CHECK(conflicts[0]["loser"]["value"] ==
              (kept == "Alpha Trading" ? "Beta Logistics" : "Alpha Trading"));
    }
}

TEST_CASE("convergence: different fields edited on two tablets are both kept, without conflict") {
    for (bool a_first : {true, false}) {
        CAPTURE(a_first);
        TwoTablets t;
        REQUIRE(t.a.book().edit_card(t.customer, {{"company", "Alpha Trading"}}).ok());
        REQUIRE(t.b.book().edit_card(t.customer, {{"address", "88 Nanjing Road"}}).ok());
        t.sync_all(a_first);
        for (auto card : {t.card(t.a), t.card(t.b), t.store_card()}) {
            CHECK(card["company"] == "Alpha Trading");
            CHECK(card["address"] == "88 Nanjing Road");
        }
        CHECK(t.card(t.a) == t.card(t.b));
        CHECK(t.store.conflicts().empty());
    }
}

TEST_CASE("convergence: a contact recorded offline on each tablet appears once everywhere") {
    TwoTablets t;
    for (auto* tablet : {&t.a, &t.b}) {
        ContactInput contact{t.customer, "phone_call", "keep_in_touch", {}, {}, {}, {}, {}};
        REQUIRE(tablet->book().record_contact(contact).ok());
    }
    t.sync_all(true);
    const auto contacts = t.store.records()["contacts"];
    CHECK(contacts.size() == 2);
    CHECK(t.a.records()["contacts"] == contacts);
    CHECK(t.b.records()["contacts"] == contacts);
}

TEST_CASE("convergence: a batch whose answer is lost with its connection is retried and applied once") {
    TwoTablets t;
    for (int i = 0; i < 3; ++i) t.a.register_prospect("客户" + std::to_string(i), "1390000000" + std::to_string(i));
    int sync_requests = 0;
    t.store.lose_response = [&](const sync::net::HttpRequest& request) {
        if (request.target != "/v1/sync") return false;
        return ++sync_requests == 1;  // the first push is committed, then its connection is cut
    };
    const int handled_before = t.store.handled.load();
    auto first = t.a.sync();
    CHECK(t.store.records()["customers"].size() == 4);  // committed before the connection died
    // The client resends on a new connection, by itself when the cut connection had
    // been kept alive, or on the next sync when it was new.
    if (!first.ok()) first = t.a.sync();
    REQUIRE(first.ok());
    CHECK(sync_requests >= 2);
    CHECK(t.store.handled.load() - handled_before >= 2);
    CHECK(need(t.a.book().changes().pending_count()) == 0);
    CHECK(t.store.records()["customers"].size() == 4);
    const auto applied_twice = need(storage::query_int64(t.store.store->db(),
        "SELECT COUNT(*) FROM (SELECT 1 FROM change_log WHERE origin_device IS NOT NULL "
        "GROUP BY origin_device, origin_seq HAVING COUNT(*) > 1)"));
    CHECK(applied_twice == 0);
    const auto devices = t.store.admin("GET", "/v1/admin/devices")["devices"];
    CHECK(t.a.records()["customers"] == t.store.records()["customers"]);
    CHECK(devices.size() == 2);
}

}  // namespace forecourt::testing

namespace forecourt::testing {

namespace {

// Counts the requests sent over a transport; its second lane is counted apart.
class CountedLane : public sync::Transport {
public:
    explicit CountedLane(sync::Transport& inner) : inner_(&inner) {}
    Result<sync::Response> send(const sync::Request& request) override {
        ++sent;
        return inner_->send(request);
    }
    bool sends_in_background() const override { return true; }
    sync::Transport* second_lane() override {
        if (!lane && inner_->second_lane())
            lane = std::make_unique<CountedLane>(*inner_->second_lane());
        return lane.get();
    }
    std::atomic<int> sent{0};
    std::unique_ptr<CountedLane> lane;

private:
    sync::Transport* inner_;
};

}  // namespace

TEST_CASE("convergence: over HTTPS a long push goes out on two connections, each change once, in order") {
    TempDir dir;
    LiveStore store{dir};
    LiveTablet a{dir, "a"};
    a.enrol_for(store, store.add_consultant("李娜"));
    REQUIRE(a.sync().ok());
    for (int i = 0; i < 40; ++i)
        a.register_prospect("客户" + std::to_string(i), "1380013" + std::to_string(8000 + i));
    std::vector<std::int64_t> seqs;
    for (const auto& e : need(a.book().changes().pending(0, 10'000))) seqs.push_back(e.seq);
    REQUIRE(seqs.size() >= 80);

    NetTransport net(store.client_options());
    CountedLane counted(net);
    sync::ClientOptions options;
    options.batch_size = 10;
    sync::SyncClient client(a.book(), options);
    const auto summary = need(client.sync(counted));
    CHECK(summary.pushed == static_cast<int>(seqs.size()));
    CHECK(summary.pulled == 0);
    REQUIRE(counted.lane);
    CHECK(counted.lane->sent.load() >= 2);  // batches went out on the second connection
    CHECK(need(a.book().changes().pending(0, 10)).empty());
    std::vector<std::int64_t> logged;
    for (const auto& e : need(store.store->log().by_origin(need(client.state()).device_id)))
        logged.push_back(e.origin_seq);
    CHECK(logged == seqs);
    CHECK(a.records() == store.records());
}

}  // namespace forecourt::testing
