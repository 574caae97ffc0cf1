// Bad requests against the running server get a clear 4xx, change nothing, and
// the server keeps serving well-behaved tablets.
#include <doctest/doctest.h>

#include "live_store.hpp"

namespace forecourt::testing {

using nlohmann::json;

namespace {

struct Probe {
    int status;
    std::string code;
};

Probe post(LiveStore& store, const std::string& token, const std::string& body,
           const std::string& target = "/v1/sync") {
    sync::net::HttpsClient client(store.client_options());
    auto answer = need(client.request("POST", target, token, body), "request");
    auto doc = json::parse(answer.body, nullptr, false);
    std::string code = doc.is_object() && doc.contains("error") ? doc["error"].value("code", "") : "";
    return {answer.status, code};
}

// An oversized body is refused at the transport: a 413, or the connection
// closed while the client is still sending it (PROTOCOL.md allows both).
bool oversized_body_refused(LiveStore& store, const std::string& token) {
    sync::net::HttpsClient client(store.client_options());
    auto answer = client.request("POST", "/v1/sync", token, std::string(2 << 20, ' '));
    if (answer.ok()) return answer->status == 413;
    return answer.error().code == ErrorCode::offline;
}

std::string push_of(std::int64_t seq, const json& fields = {{"name", {{"value", "X"}, {"base", nullptr}}}}) {
    return json{{"protocol", 1},
                {"push", {{"changes", json::array({{{"seq", seq}, {"table", "customers"},
                                                    {"id", "0193a1c0-0000-7000-8000-000000000001"},
                                                    {"hlc", "019ab3f0c1a20000"}, {"fields", fields}}})}}}}
        .dump();
}

}  // namespace

TEST_CASE("hostile input: refused with a clear 4xx, nothing changed, others still served") {
    TempDir dir;
    LiveStore store(dir);
    LiveTablet li(dir, "li");
    LiveTablet wang(dir, "wang");
    li.enrol_for(store, store.add_consultant("李娜"));
    wang.enrol_for(store, store.add_consultant("王芳"));
    li.register_prospect("王伟", "13800138000");
    REQUIRE(li.sync().ok());
    const auto token = li.token();
    const auto before = store.records();

    std::string deep = R"({"protocol":1,"push":)";
    for (int i = 0; i < 20; ++i) deep += R"({"a":)";
    deep += "1" + std::string(20, '}') + "}";

    CHECK(oversized_body_refused(store, token));
    CHECK(post(store, token, deep).status == 413);
    auto utf8 = post(store, token, "{\"protocol\":1,\"x\":\"\xff\xfe\"}");
    CHECK(utf8.status == 400);
    CHECK(utf8.code == "protocol");
    CHECK(post(store, token, R"({"protocol":"1"})").status == 400);
    CHECK(post(store, token, R"({"protocol":1,"push":{"changes":"none"}})").status == 400);
    CHECK(post(store, token, push_of(1, {{"grade", {{"value", 7}, {"base", nullptr}}}})).status == 422);
    CHECK(post(store, token, push_of(-3)).status == 422);
    CHECK(post(store, "", push_of(100)).code == "unauthorized");
    const auto other = wang.token();
    const auto forged = other.substr(0, other.find('.')) + token.substr(token.find('.'));
    CHECK(post(store, forged, push_of(100)).status == 401);
    CHECK(post(store, "admin." + std::string(64, '0'), push_of(100)).code == "forbidden");

    CHECK(store.records() == before);
    wang.register_prospect("赵磊", "13900139000");
    CHECK(wang.sync().ok());
    CHECK(store.records()["customers"].size() == 2);
}

TEST_CASE("hostile input: a replayed sequence is acknowledged as a duplicate, never applied again") {
    TempDir dir;
    LiveStore store(dir);
    LiveTablet li(dir, "li");
    li.enrol_for(store, store.add_consultant("李娜"));
    li.register_prospect("王伟", "13800138000");
    REQUIRE(li.sync().ok());
    const auto before = store.records();
    const auto replay = push_of(1, {{"name", {{"value", "Someone else"}, {"base", nullptr}}}});
    sync::net::HttpsClient client(store.client_options());
    auto answer = need(client.request("POST", "/v1/sync", li.token(), replay));
    REQUIRE(answer.status == 200);
    CHECK(json::parse(answer.body)["push"]["duplicates"] == 1);
    CHECK(store.records() == before);
}

}  // namespace forecourt::testing
