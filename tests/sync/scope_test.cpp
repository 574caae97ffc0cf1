// Scope: a tablet sees its consultant's book plus reference data; handovers
// move records with their history; pushes outside the scope are never dropped.
#include <doctest/doctest.h>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

namespace {

struct ScopeSetup {
    TempDir dir;
    StoreFixture server{dir.path()};
    std::string li = server.add_consultant("李娜");
    std::string zhang = server.add_consultant("张伟");
    Tablet li_tablet{dir.path(), "li"};
    Tablet zhang_tablet{dir.path(), "zhang"};
    InProcessTransport transport{server};

    ScopeSetup() {
        li_tablet.enrol(server, li);
        zhang_tablet.enrol(server, zhang);
    }
    json server_scope(const std::string& consultant) {
        return records_of(server.store->records(), server.store->db(), consultant);
    }
    json tablet_records(Tablet& t) { return records_of(t.book().records(), t.book().db()); }
};

}  // namespace

TEST_CASE("scope: a tablet pulls its consultant's book and the reference data, nothing else") {
    ScopeSetup s;
    s.server.admin("POST", "/v1/admin/vehicle-models", {{"models", {{{"name", "Camry 2.5G"}, {"price", 17980000}}}}});
    const auto mine = s.li_tablet.register_prospect("王伟", "13800138000");
    const auto theirs = s.zhang_tablet.register_prospect("赵敏", "13900139000");
    need(s.li_tablet.sync(s.transport));
    need(s.zhang_tablet.sync(s.transport));
    need(s.li_tablet.sync(s.transport));
    CHECK(s.tablet_records(s.li_tablet) == s.server_scope(s.li));
    CHECK(s.tablet_records(s.zhang_tablet) == s.server_scope(s.zhang));
    CHECK_FALSE(s.li_tablet.book().customer(theirs).ok());
    CHECK(s.tablet_records(s.li_tablet)["vehicle_models"].size() == 1);
    CHECK(s.tablet_records(s.li_tablet)["consultants"].size() == 2);
    (void)mine;
}

TEST_CASE("scope: a handover moves customers with their history; the old tablet purges them") {
    ScopeSetup s;
    const auto id = s.li_tablet.register_prospect("王伟", "13800138000");
    need(s.li_tablet.book().record_contact(ContactInput{id, "phone_call", "promote_deal", "wants a test drive",
                                                        {}, "A", "2025-11-27", {}}));
    need(s.li_tablet.sync(s.transport));
    auto moved = s.server.admin("POST", "/v1/admin/handover", {{"from", s.li}, {"to", s.zhang}});
    CHECK(moved["moved"] == 1);
    need(s.zhang_tablet.sync(s.transport));
    need(s.li_tablet.sync(s.transport));
    auto card = need(s.zhang_tablet.book().card(id));
    CHECK(card.contacts.size() == 1);
    CHECK(card.contacts[0].consultant_id == s.li);  // history keeps its real author
    CHECK(card.follow_ups.size() == 1);
    CHECK(card.grade_changes.size() == 2);
    CHECK_FALSE(s.li_tablet.book().customer(id).ok());
    CHECK(s.tablet_records(s.zhang_tablet) == s.server_scope(s.zhang));
    CHECK(s.tablet_records(s.li_tablet) == s.server_scope(s.li));
    auto audit = need(s.server.store->journal().audit_entries(0, 10, "handover"));
    CHECK(audit.size() == 1);
}

TEST_CASE("scope: offline work on a customer handed away is applied, acknowledged and queued for review") {
    ScopeSetup s;
    const auto id = s.li_tablet.register_prospect("王伟", "13800138000");
    need(s.li_tablet.sync(s.transport));
    need(s.li_tablet.book().edit_card(id, {{"household_notes", "two kids, needs 7 seats"}}));
    need(s.li_tablet.book().record_contact(ContactInput{id, "visit", "collect_info", {}, {}, {}, {}, {}}));
    s.server.admin("POST", "/v1/admin/handover", {{"from", s.li}, {"to", s.zhang}, {"customers", {id}}});
    auto summary = need(s.li_tablet.sync(s.transport));
    CHECK(need(s.li_tablet.book().changes().pending_count()) == 0);
    auto review = s.server.admin("GET", "/v1/admin/review");
    REQUIRE(review["review"].size() == 2);
    CHECK(review["review"][0]["applied"].get<bool>());
    CHECK(review["review"][0]["reason"].get<std::string>().find("outside the tablet's scope") != std::string::npos);
    need(s.zhang_tablet.sync(s.transport));
    auto card = need(s.zhang_tablet.book().card(id));
    CHECK(card.customer.household_notes == "two kids, needs 7 seats");
    CHECK(card.contacts.size() == 1);
    CHECK(s.tablet_records(s.zhang_tablet) == s.server_scope(s.zhang));
    CHECK(summary.pushed == 2);
}

TEST_CASE("scope: reference data pushed by a tablet is kept for review, not applied") {
    ScopeSetup s;
    const auto token = need(s.li_tablet.client().state()).token;
    const std::string id = "0193a1c0-0000-7000-8000-0000000000aa";
    const std::string body = R"({"protocol":1,"push":{"changes":[{"seq":1,"table":"vehicle_models","id":")" + id +
                             R"(","hlc":"019ab3f0c1a20000","fields":{"name":{"value":"Free car","base":null}}}]}})";
    auto reply = s.server.call("POST", "/v1/sync", body, token);
    REQUIRE(reply.response.status == 200);
    auto response = need(sync::decode_sync_response(reply.response.body, {}));
    CHECK(response.push.acked_seq == 1);
    CHECK(response.push.review == 1);
    CHECK_FALSE(need(s.server.store->records().read(*model::find_table("vehicle_models"), id)).has_value());
    CHECK(s.server.admin("GET", "/v1/admin/review")["review"].size() == 1);
}

TEST_CASE("scope: concurrent edits by two tablets of one consultant land in the conflicts log") {
    ScopeSetup s;
    Tablet second(s.dir.path(), "li-phone");
    second.enrol(s.server, s.li);
    const auto id = s.li_tablet.register_prospect("王伟", "13800138000");
    need(s.li_tablet.sync(s.transport));
    need(second.sync(s.transport));
    need(s.li_tablet.book().edit_card(id, {{"address", "Pudong"}}));
    s.li_tablet.clock.advance(1000);
    second.clock.advance(2000);
    need(second.book().edit_card(id, {{"address", "Minhang"}}));
    need(second.sync(s.transport));
    need(s.li_tablet.sync(s.transport));
    need(second.sync(s.transport));
    CHECK(need(s.li_tablet.book().customer(id)).address == "Minhang");
    CHECK(need(second.book().customer(id)).address == "Minhang");
    auto conflicts = s.server.admin("GET", "/v1/admin/conflicts");
    REQUIRE(conflicts["conflicts"].size() == 1);
    CHECK(conflicts["conflicts"][0]["loser"]["value"] == "Pudong");
    CHECK(conflicts["conflicts"][0]["winner"]["value"] == "Minhang");
    CHECK(conflicts["conflicts"][0]["owner_id"] == s.li);
}
