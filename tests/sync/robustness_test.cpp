// Untrusted input through the whole request handler: mutated, truncated and
// random bodies and targets never crash it, never fail it internally, and
// always get a JSON answer — a success, or a 4xx with an error body.
#include <doctest/doctest.h>

#include <random>
#include <set>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

namespace {

std::string mutate(std::string body, std::mt19937& rng) {
    auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n)(rng); };
    const int edits = static_cast<int>(pick(4)) + 1;
    for (int i = 0; i < edits && !body.empty(); ++i) {
        const std::size_t at = pick(body.size() - 1);
        switch (pick(4)) {
            case 0: body[at] = static_cast<char>(pick(255)); break;                  // flip a byte
            case 1: body.erase(at, pick(8)); break;                                   // cut
            case 2: body.insert(at, body.substr(pick(body.size() - 1), pick(16))); break;  // repeat a piece
            case 3: body.resize(at); break;                                           // truncate
            default: body.insert(at, 1, "{}[]\",:0-9eE\\u"[pick(14)]); break;       // a JSON token
        }
    }
    return body;
}

void check_answer(const sync::Response& r, const std::string& what) {
    static const std::set<int> kExpected{200, 201, 400, 401, 403, 404, 405, 409, 413, 422};
    CHECK_MESSAGE(kExpected.contains(r.status), what << " answered " << r.status << ": " << r.body);
    auto body = json::parse(r.body, nullptr, false);
    REQUIRE_MESSAGE(body.is_object(), what << " answered something that is not JSON");
    if (r.status >= 400) CHECK(body["error"]["code"].is_string());
}

}  // namespace

TEST_CASE("store service: mutated and random requests are refused cleanly, never with a failure") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = server.add_consultant("李娜");
    Tablet t(dir.path(), "t");
    t.enrol(server, li);
    const auto token = need(t.client().state()).token;
    const auto id = t.register_prospect("王伟", "13800138000");
    need(t.book().record_contact(ContactInput{id, "phone_call", "promote_deal", "约试驾", {}, "A", "2025-11-27", {}}));
    const auto sync_body = need(t.client().prepare()).request.body;
    const std::vector<std::pair<std::string, std::string>> seeds{
        {"/v1/sync", sync_body},
        {"/v1/enrol", R"({"protocol":1,"code":"K7QD-MX3P-9TWA","device_name":"t","replica_id":")" +
                          t.book().identity().replica_id + "\"}"},
        {"/v1/admin/consultants", R"({"protocol":1,"name":"张伟","phone":"13900139000","role":"manager"})"},
        {"/v1/admin/vehicle-models", R"({"protocol":1,"models":[{"name":"Camry","brand":"Toyota","price":1}]})"},
        {"/v1/admin/handover", R"({"protocol":1,"from":")" + li + R"(","to":")" + li + "\"}"},
    };
    std::mt19937 rng(20251124);
    for (int i = 0; i < 3000; ++i) {
        const auto& [target, body] = seeds[static_cast<std::size_t>(i) % seeds.size()];
        const std::string mutated = mutate(body, rng);
        const std::string& auth = target.starts_with("/v1/admin") ? server.admin_token : token;
        check_answer(server.call("POST", target, mutated, auth).response, target);
    }
    for (int i = 0; i < 300; ++i) {
        std::string target = "/v1/" + mutate("admin/conflicts?after=1&limit=5", rng);
        check_answer(server.call(i % 2 ? "GET" : "POST", target, "", server.admin_token).response, target);
    }
    InProcessTransport transport(server);
    need(t.sync(transport));  // the store still works
    CHECK(need(t.book().changes().pending_count()) == 0);
}
