// Enrolment and device credentials: one-time codes that expire, tokens bound
// to one device, and revocation with a final push.
#include <doctest/doctest.h>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

namespace {

struct EnrolmentSetup {
    TempDir dir;
    StoreFixture server{dir.path()};
    std::string li = server.add_consultant("李娜");
};

sync::Response enrol_with(StoreFixture& server, Tablet& t, const std::string& code) {
    auto request = t.client().enrol_request(code, "tablet");
    return server.call(request.method, request.target, request.body, "").response;
}

std::string error_code(const sync::Response& r) { return json::parse(r.body)["error"]["code"]; }
std::string error_message(const sync::Response& r) { return json::parse(r.body)["error"]["message"]; }

}  // namespace

TEST_CASE("enrolment: a fresh code enrols the book, which takes the store's identity") {
    EnrolmentSetup s;
    Tablet t(s.dir.path(), "t");
    // Work done before the tablet ever met the store.
    const auto id = t.register_prospect("王伟", "13800138000");
    need(t.book().record_contact(ContactInput{id, "walk_in", "collect_info", {}, {}, {}, {}, {}}));
    const auto response = enrol_with(s.server, t, s.server.issue_code(s.li));
    REQUIRE(response.status == 200);
    auto enrolled = need(t.client().complete_enrolment(response, "tablet", "https://store.test", "ab:cd"));
    CHECK(enrolled.consultant_id == s.li);
    CHECK(enrolled.token.starts_with(t.book().identity().replica_id + "."));
    t.reopen();
    CHECK(t.book().identity().consultant_id == s.li);
    CHECK(t.book().identity().store_id == s.server.store->identity().store_id);
    CHECK(need(t.book().customer(id)).owner_id == s.li);
    for (const auto& entry : outbox_of(t.book()))
        if (entry["fields"].contains("consultant_id")) CHECK(entry["fields"]["consultant_id"]["value"] == s.li);
    InProcessTransport transport(s.server);
    need(t.sync(transport));
    CHECK(records_of(t.book().records(), t.book().db(), s.li) ==
          records_of(s.server.store->records(), s.server.store->db(), s.li));
    auto state = need(t.client().state());
    CHECK(state.server_pin == "ab:cd");
    CHECK(state.last_sync_at.has_value());
}

TEST_CASE("enrolment: the open book takes the store's identity at once; what it writes next is the store's") {
    EnrolmentSetup s;
    Tablet t(s.dir.path(), "t");
    const auto response = enrol_with(s.server, t, s.server.issue_code(s.li));
    REQUIRE(response.status == 200);
    need(t.client().complete_enrolment(response, "tablet", "https://store.test", "ab:cd"));
    // No reopen: the same Book object.
    CHECK(t.book().identity().consultant_id == s.li);
    CHECK(t.book().identity().store_id == s.server.store->identity().store_id);
    const auto id = t.register_prospect("李强", "13900139000");
    CHECK(need(t.book().customer(id)).owner_id == s.li);
    InProcessTransport transport(s.server);
    need(t.sync(transport));
    CHECK(records_of(t.book().records(), t.book().db(), s.li) ==
          records_of(s.server.store->records(), s.server.store->db(), s.li));
    CHECK(s.server.admin("GET", "/v1/admin/review")["review"].empty());
}

TEST_CASE("enrolment: a code works once, for 15 minutes, and typing it loosely is fine") {
    EnrolmentSetup s;
    Tablet a(s.dir.path(), "a"), b(s.dir.path(), "b"), c(s.dir.path(), "c");
    std::string code = s.server.issue_code(s.li);
    std::string loose;
    for (char ch : code)
        if (ch != '-') loose += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK(enrol_with(s.server, a, loose).status == 200);
    auto used = enrol_with(s.server, b, code);
    CHECK(used.status == 401);
    CHECK(error_message(used).find("already used") != std::string::npos);
    const auto fresh = s.server.issue_code(s.li);
    s.server.clock.advance(15 * 60 * 1000);
    auto expired = enrol_with(s.server, c, fresh);
    CHECK(expired.status == 401);
    CHECK(error_message(expired).find("expired") != std::string::npos);
    auto unknown = enrol_with(s.server, c, "AAAA-BBBB-CCCC");
    CHECK(unknown.status == 401);
    CHECK(error_message(unknown).find("unknown enrolment code") != std::string::npos);
}

TEST_CASE("enrolment: a token is bound to its device and kept only as a hash") {
    EnrolmentSetup s;
    Tablet a(s.dir.path(), "a"), b(s.dir.path(), "b");
    a.enrol(s.server, s.li);
    b.enrol(s.server, s.li);
    const auto token_a = need(a.client().state()).token;
    const auto token_b = need(b.client().state()).token;
    const auto secret_b = token_b.substr(token_b.find('.') + 1);
    const auto forged = a.book().identity().replica_id + "." + secret_b;  // a's id, b's secret
    const std::string body = R"({"protocol":1,"pull":{"cursor":0}})";
    CHECK(s.server.call("POST", "/v1/sync", body, token_a).response.status == 200);
    CHECK(s.server.call("POST", "/v1/sync", body, forged).response.status == 401);
    CHECK(s.server.call("POST", "/v1/sync", body, "nodot").response.status == 401);
    auto q = need(storage::Query::prepare(s.server.store->db(), "SELECT count(*) FROM devices WHERE token_hash = ?"));
    q->bind(1, secret_b);
    need(q->step());
    CHECK(q->int64(0) == 0);
    CHECK(need(s.server.service->authenticate_device(token_a)) == a.book().identity().replica_id);
}

TEST_CASE("enrolment: a book enrolled for one consultant cannot be enrolled for another") {
    EnrolmentSetup s;
    const auto zhang = s.server.add_consultant("张伟");
    Tablet t(s.dir.path(), "t");
    t.enrol(s.server, s.li);
    auto again = enrol_with(s.server, t, s.server.issue_code(zhang));
    CHECK(again.status == 409);
    CHECK(error_code(again) == "conflict");
}

TEST_CASE("enrolment: a deactivated consultant's tablet makes one final push, kept for review, then must wipe") {
    EnrolmentSetup s;
    Tablet t(s.dir.path(), "t");
    t.enrol(s.server, s.li);
    InProcessTransport transport(s.server);
    const auto id = t.register_prospect("王伟", "13800138000");
    need(t.sync(transport));
    need(t.book().edit_card(id, {{"address", "written offline, after the consultant left"}}));
    auto deactivated = s.server.admin("POST", "/v1/admin/consultants/" + s.li + "/deactivate");
    CHECK(deactivated["revoked_devices"].size() == 1);
    CHECK(s.server.call("POST", "/v1/admin/enrolment-codes",
                        json{{"protocol", 1}, {"consultant_id", s.li}}.dump(), s.server.admin_token)
              .response.status == 409);
    auto summary = need(t.sync(transport));
    CHECK(summary.revoked);
    CHECK(need(t.book().changes().pending_count()) == 0);
    auto review = s.server.admin("GET", "/v1/admin/review");
    REQUIRE(review["review"].size() == 1);
    CHECK(review["review"][0]["change"]["fields"]["address"]["value"] ==
          "written offline, after the consultant left");
    CHECK_FALSE(review["review"][0]["applied"].get<bool>());
    auto after = t.sync(transport);
    REQUIRE_FALSE(after.ok());
    CHECK(after.error().code == ErrorCode::revoked);
    CHECK(need(t.client().state()).status == "revoked");
}
