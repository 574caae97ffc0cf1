// The wire codec: every limit and every kind of malformed input gives its own
// error and HTTP status; well-formed messages survive a round trip.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "forecourt/sync/codec.hpp"

using namespace forecourt;
using namespace forecourt::sync;
using nlohmann::json;

namespace {

const std::string kCustomer = "0193a1c0-0000-7000-8000-000000000001";

json change(std::int64_t seq, json fields) {
    return {{"seq", seq}, {"table", "customers"}, {"id", kCustomer}, {"hlc", "019ab3f0c1a20000"},
            {"fields", std::move(fields)}};
}

json push(json changes) { return {{"protocol", 1}, {"push", {{"changes", std::move(changes)}}}}; }

json name_field(json value = "王伟") { return {{"name", {{"value", std::move(value)}, {"base", nullptr}}}}; }

// The error a sync request body decodes to (fails the test if it decodes).
Error rejected(const std::string& body, const Limits& limits = {}) {
    auto decoded = decode_sync_request(body, limits);
    REQUIRE_FALSE(decoded.ok());
    return decoded.error();
}

void check(const Error& e, ErrorCode code, int status, const std::string& says) {
    CHECK(e.code == code);
    CHECK(http_status(e) == status);
    CHECK_MESSAGE(e.message.find(says) != std::string::npos, e.message);
}

}  // namespace

TEST_CASE("codec: a sync request survives a round trip") {
    SyncRequest request;
    request.push.push_back(Change{7, "customers", kCustomer, Hlc{0x019ab3f0c1a20000},
                                  {FieldChange{"name", "王伟", std::nullopt},
                                   FieldChange{"phones", json::array({"+8613800138000"}),
                                               Version{Hlc{0x019ab3f0c1a10000}, "r-1"}}}});
    request.pull = PullRequest{42, 100, true};
    auto decoded = decode_sync_request(encode(request), Limits{});
    REQUIRE(decoded.ok());
    REQUIRE(decoded->push.size() == 1);
    CHECK(decoded->push[0].seq == 7);
    CHECK(decoded->push[0].hlc == Hlc{0x019ab3f0c1a20000});
    CHECK(decoded->push[0].fields[1].base->replica == "r-1");
    CHECK(decoded->push[0].fields[1].value == json::array({"+8613800138000"}));
    CHECK(decoded->pull->cursor == 42);
    CHECK(decoded->pull->limit == 100);
    CHECK(decoded->pull->count);
    request.pull->count = false;
    auto uncounted = decode_sync_request(encode(request), Limits{});
    REQUIRE(uncounted.ok());
    CHECK_FALSE(uncounted->pull->count);
    check(rejected(R"({"protocol":1,"pull":{"cursor":0,"count":"yes"}})"), ErrorCode::protocol, 400,
          "pull.count");
}

TEST_CASE("codec: a push spliced from stored fields is the message of the same changes") {
    const Change notes{8, "customers", kCustomer, Hlc{0x019ab3f0c1a30000},
                       {FieldChange{"household_notes", "两个孩子, \"周末\"", Version{Hlc{0x019ab3f0c1a20000}, "r-1"}}}};
    const Change name{9, "customers", kCustomer, Hlc{0x019ab3f0c1a40000}, {FieldChange{"name", "王伟", std::nullopt}}};
    // The outbox's own text of each change's fields.
    const std::string notes_fields =
        R"({"household_notes":{"base":"019ab3f0c1a20000@r-1","value":"两个孩子, \"周末\""}})";
    const std::string name_fields = R"({"name":{"base":null,"value":"王伟"}})";
    EncodedPush spliced;
    spliced.add(notes.seq, notes.table, notes.record_id, notes.hlc, notes_fields);
    spliced.add(name.seq, name.table, name.record_id, name.hlc, name_fields);
    const PullRequest pull{42, 100, false};
    SyncRequest typed;
    typed.push = {notes, name};
    typed.pull = pull;
    CHECK(json::parse(encode(spliced, pull)) == json::parse(encode(typed)));
    auto decoded = decode_sync_request(encode(spliced, pull), Limits{});
    REQUIRE(decoded.ok());
    REQUIRE(decoded->push.size() == 2);
    CHECK(decoded->push[0].fields[0].value == "两个孩子, \"周末\"");
    CHECK(decoded->push[0].fields[0].base->replica == "r-1");
    CHECK(decoded->push[1].hlc == name.hlc);
    CHECK(decoded->pull->cursor == 42);
    // A push alone, and a pull alone.
    CHECK(json::parse(encode(spliced, std::nullopt)) == json::parse(encode(SyncRequest{{notes, name}, {}})));
    CHECK(json::parse(encode(EncodedPush{}, pull)) == json::parse(encode(SyncRequest{{}, pull})));

    // Fitting keeps whole changes, the first whatever its size.
    const std::size_t first = spliced.changes[0].size();
    EncodedPush fitted = spliced;
    fitted.fit(first + spliced.changes[1].size());
    CHECK(fitted.changes.size() == 2);
    fitted.fit(first + spliced.changes[1].size() - 1);
    REQUIRE(fitted.changes.size() == 1);
    CHECK(fitted.bytes == first);
    fitted.fit(1);
    CHECK(fitted.changes.size() == 1);
}

TEST_CASE("codec: a sync response survives a round trip") {
    SyncResponse response;
    response.store_id = "s";
    response.server_hlc = Hlc{0x019ab3f0c1a20003};
    response.push = PushResult{9, 2, 1, 1, 0, 1};
    response.pull = PullPage{{PulledChange{11, PulledOp::upsert, "customers", kCustomer, "owner",
                                           {FieldValue{"grade", "A", Version{Hlc{5}, "r"}},
                                            FieldValue{"name", "王伟", Version{Hlc{7}, "q"}},
                                            FieldValue{"phones", json::array({"13800000000"}),
                                                       Version{Hlc{5}, "r"}}}},
                              PulledChange{12, PulledOp::purge, "contacts", kCustomer, "", {}}},
                             12, true, 40};
    auto decoded = decode_sync_response(encode(response), Limits{});
    REQUIRE_MESSAGE(decoded.ok(), decoded.error().describe());
    CHECK(decoded->push.acked_seq == 9);
    CHECK(decoded->push.restamped == 1);
    CHECK(decoded->server_hlc == Hlc{0x019ab3f0c1a20003});
    REQUIRE(decoded->pull->changes.size() == 2);
    REQUIRE(decoded->pull->changes[0].fields.size() == 3);
    CHECK(decoded->pull->changes[0].fields[0].version == Version{Hlc{5}, "r"});
    CHECK(decoded->pull->changes[0].fields[1].version == Version{Hlc{7}, "q"});  // its own version
    CHECK(decoded->pull->changes[0].fields[1].value == "王伟");
    CHECK(decoded->pull->changes[0].fields[2].version == Version{Hlc{5}, "r"});
    CHECK(decoded->pull->changes[1].op == PulledOp::purge);
    CHECK(decoded->pull->more);
    CHECK(decoded->pull->remaining == 40);
    response.pull->remaining.reset();
    auto uncounted = decode_sync_response(encode(response), Limits{});
    REQUIRE(uncounted.ok());
    CHECK_FALSE(uncounted->pull->remaining.has_value());
}

TEST_CASE("codec: a page of stored log entries is the message of the same typed page") {
    SyncResponse response;
    response.store_id = "s";
    response.server_hlc = Hlc{0x019ab3f0c1a20003};
    response.push = PushResult{9, 2, 1, 1, 0, 1};
    const Version shared{Hlc{5}, "r"}, own{Hlc{7}, "q"};
    response.pull = PullPage{{PulledChange{11, PulledOp::upsert, "customers", kCustomer, "owner",
                                           {FieldValue{"grade", "A", shared},
                                            FieldValue{"name", "王\"伟}]", own},
                                            FieldValue{"phones", json::array({"13800000000"}), shared}}},
                              PulledChange{12, PulledOp::purge, "contacts", kCustomer, "", {}},
                              PulledChange{13, PulledOp::upsert, "vehicle_models", kCustomer, "",
                                           {FieldValue{"name", "汉 EV", shared}}}},
                             13, true, 40};
    EncodedPullPage page{{}, 13, true, 40};
    page.add(store::WireEntry{11, "upsert", "customers", kCustomer, "owner",
                              json{{"fields", {{"grade", "A"}, {"name", "王\"伟}]"}, {"phones", {"13800000000"}}}},
                                   {"version", shared.to_string()},
                                   {"versions", {{"name", own.to_string()}}}}.dump()});
    page.add(store::WireEntry{12, "purge", "contacts", kCustomer, "li", ""});
    page.add(store::WireEntry{13, "upsert", "vehicle_models", kCustomer, std::nullopt,
                              json{{"fields", {{"name", "汉 EV"}}}, {"version", shared.to_string()}}.dump()});
    const std::string spliced = encode(response, page);
    CHECK(json::parse(spliced) == json::parse(encode(response)));
    auto decoded = decode_sync_response(spliced, Limits{});
    REQUIRE_MESSAGE(decoded.ok(), decoded.error().describe());
    REQUIRE(decoded->pull->changes.size() == 3);
    CHECK(decoded->pull->changes[0].fields[1].value == "王\"伟}]");
    CHECK(decoded->pull->changes[0].fields[1].version == own);
    CHECK(decoded->pull->changes[1].op == PulledOp::purge);
    CHECK(decoded->pull->changes[2].owner_id.empty());
    CHECK(decoded->pull->remaining == 40);
    // Names that need escaping are escaped.
    EncodedPullPage odd;
    odd.add(store::WireEntry{14, "upsert", "customers", "a\"b\\c\n", "李", R"({"fields":{}})"});
    CHECK(json::parse("[" + odd.changes + "]")[0] ==
          json{{"seq", 14}, {"table", "customers"}, {"id", "a\"b\\c\n"}, {"op", "upsert"},
               {"owner_id", "李"}, {"fields", json::object()}});
    // An empty page, and no page at all.
    CHECK(json::parse(encode(response, EncodedPullPage{{}, 13, false, std::nullopt}))["pull"] ==
          json{{"cursor", 13}, {"more", false}, {"changes", json::array()}});
    response.pull.reset();
    CHECK_FALSE(json::parse(encode(response)).contains("pull"));
}

TEST_CASE("codec: a pulled upsert shares one version; a field with another names its own") {
    SyncResponse response;
    response.store_id = "s";
    response.pull = PullPage{{PulledChange{11, PulledOp::upsert, "customers", kCustomer, "owner",
                                           {FieldValue{"grade", "A", Version{Hlc{5}, "r"}},
                                            FieldValue{"name", "王伟", Version{Hlc{7}, "q"}},
                                            FieldValue{"budget", 300000, Version{Hlc{5}, "r"}}}}},
                             11, false, std::nullopt};
    const json wire = json::parse(encode(response));
    const json& c = wire["pull"]["changes"][0];
    CHECK(c["version"] == "0000000000000005@r");
    CHECK(c["fields"] == json{{"grade", "A"}, {"name", "王伟"}, {"budget", 300000}});
    CHECK(c["versions"] == json{{"name", "0000000000000007@q"}});

    auto decode_with = [&](const std::function<void(json&)>& edit) {
        json body = wire;
        edit(body["pull"]["changes"][0]);
        return decode_sync_response(body.dump(), Limits{});
    };
    auto refused = [&](const std::function<void(json&)>& edit) {
        auto decoded = decode_with(edit);
        REQUIRE_FALSE(decoded.ok());
        return decoded.error();
    };
    check(refused([](json& ch) { ch.erase("version"); }), ErrorCode::protocol, 400,
          "pull.changes[0].fields.budget has no version");
    check(refused([](json& ch) { ch["version"] = "5@r"; }), ErrorCode::invalid_argument, 422,
          "pull.changes[0].version is not a version");
    check(refused([](json& ch) { ch["versions"]["name"] = 7; }), ErrorCode::invalid_argument, 422,
          "pull.changes[0].versions.name is not a version");
    check(refused([](json& ch) { ch["versions"]["notes"] = "0000000000000007@q"; }),
          ErrorCode::invalid_argument, 422, "names no field of the change");
    check(refused([](json& ch) { ch["versions"] = "0000000000000007@q"; }), ErrorCode::protocol, 400,
          "pull.changes[0].versions must be an object");
    // Every field with its own version: no shared one is needed.
    auto all_own = decode_with([](json& ch) {
        ch.erase("version");
        ch["versions"] = {{"grade", "0000000000000001@a"}, {"name", "0000000000000002@b"},
                          {"budget", "0000000000000003@c"}};
    });
    REQUIRE_MESSAGE(all_own.ok(), all_own.error().describe());
    CHECK(all_own->pull->changes[0].fields[0].version == Version{Hlc{3}, "c"});  // budget, by name order
}

TEST_CASE("codec: a body over the size limit is refused before parsing") {
    Limits limits;
    limits.max_body_bytes = 100;
    check(rejected(std::string(101, ' '), limits), ErrorCode::limit_exceeded, 413, "101 bytes");
}

TEST_CASE("codec: invalid UTF-8 is refused, wherever it is") {
    check(rejected("{\"protocol\":1,\"x\":\"\xff\"}"), ErrorCode::protocol, 400, "UTF-8");
    check(rejected("{\"protocol\":1,\"x\":\"\xc0\xaf\"}"), ErrorCode::protocol, 400, "UTF-8");  // overlong
    check(rejected("{\"protocol\":1,\"x\":\"\xed\xa0\x80\"}"), ErrorCode::protocol, 400, "UTF-8");  // surrogate
    check(rejected("{\"protocol\":1,\"x\":\"\xe4\xb8\"}"), ErrorCode::protocol, 400, "UTF-8");  // truncated
}

TEST_CASE("codec: malformed JSON, non-objects and trailing garbage are protocol errors") {
    check(rejected("{\"protocol\":1,"), ErrorCode::protocol, 400, "not valid JSON");
    check(rejected("[1,2]"), ErrorCode::protocol, 400, "JSON object");
    check(rejected("{\"protocol\":1} {}"), ErrorCode::protocol, 400, "not valid JSON");
    check(rejected(""), ErrorCode::protocol, 400, "not valid JSON");
}

TEST_CASE("codec: a bounded parse builds the same document as an unbounded one") {
    const std::vector<std::string> texts{
        R"({"protocol":1})",
        R"({"a":[1,-2,3.5,1e300,18446744073709551615,true,false,null,"x"],"b":{"c":{"d":[[],{}]}}})",
        R"({"s":"\u738b\u4f1f \"quoted\" \\ \n","t":"王伟","n":[{"k":1},{"k":2,"l":[3,[4]]}],"e":""})",
        R"({"dup":1,"dup":[2],"z":{"y":{},"x":[]}})",
        R"( { "spaced" : [ 1 , { "in" : null } ] } )"};
    for (const auto& text : texts) {
        CAPTURE(text);
        auto parsed = parse_bounded(text, Limits{}, 1 << 20);
        REQUIRE(parsed.ok());
        CHECK(*parsed == json::parse(text));
        CHECK(parsed->dump() == json::parse(text).dump());
    }
}

TEST_CASE("codec: nesting deeper than the limit is refused while parsing") {
    std::string deep = "{\"protocol\":1,\"x\":";
    for (int i = 0; i < 100000; ++i) deep += "[";
    check(rejected(deep), ErrorCode::limit_exceeded, 413, "deeper than 8");
    json eight = push(json::array({change(1, {{"phones", {{"value", {"a"}}, {"base", nullptr}}}})}));
    CHECK(decode_sync_request(eight.dump(), Limits{}).ok());  // the deepest real message fits
}

TEST_CASE("codec: strings, member names and arrays over their limits are refused") {
    check(rejected(push(json::array({change(1, name_field(std::string(8193, 'x')))})).dump()),
          ErrorCode::limit_exceeded, 413, "8193 bytes");
    check(rejected("{\"protocol\":1,\"" + std::string(9000, 'k') + "\":1}"), ErrorCode::limit_exceeded,
          413, "9000 bytes");
    json big = json::array();
    for (int i = 0; i < 2001; ++i) big.push_back(i);
    check(rejected(json{{"protocol", 1}, {"x", big}}.dump()), ErrorCode::limit_exceeded, 413, "2000 entries");
}

TEST_CASE("codec: a batch or a change over its size limit is refused") {
    json changes = json::array();
    for (int i = 1; i <= 501; ++i) changes.push_back(change(i, name_field()));
    check(rejected(push(changes).dump()), ErrorCode::limit_exceeded, 413, "501 changes");
    json fields = json::object();
    for (int i = 0; i < 65; ++i) fields["f" + std::to_string(i)] = {{"value", 1}, {"base", nullptr}};
    check(rejected(push(json::array({change(1, fields)})).dump()), ErrorCode::limit_exceeded, 413,
          "65 fields");
}

TEST_CASE("codec: the protocol version must be present and spoken") {
    check(rejected(R"({"push":{"changes":[]}})"), ErrorCode::protocol, 400, "protocol is missing");
    check(rejected(R"({"protocol":2})"), ErrorCode::protocol, 400, "unsupported protocol version 2");
    check(rejected(R"({"protocol":"1"})"), ErrorCode::protocol, 400, "unsupported protocol version");
}

TEST_CASE("codec: members of the wrong shape are protocol errors naming the member") {
    check(rejected(R"({"protocol":1,"push":[]})"), ErrorCode::protocol, 400, "push must be an object");
    check(rejected(R"({"protocol":1,"push":{}})"), ErrorCode::protocol, 400, "push.changes is missing");
    json c = change(1, name_field());
    c["seq"] = "1";
    check(rejected(push(json::array({c})).dump()), ErrorCode::protocol, 400, "push.changes[0].seq");
    c = change(1, {{"name", {{"base", nullptr}}}});
    check(rejected(push(json::array({c})).dump()), ErrorCode::protocol, 400, "fields.name.value is missing");
    check(rejected(R"({"protocol":1,"pull":{"cursor":1.5}})"), ErrorCode::protocol, 400, "pull.cursor");
}

TEST_CASE("codec: content that breaks the record schema is refused with 422") {
    auto bad = [](json c) { return rejected(push(json::array({std::move(c)})).dump()); };
    json c = change(1, name_field());
    c["table"] = "payroll";
    check(bad(c), ErrorCode::invalid_argument, 422, "unknown table 'payroll'");
    check(bad(change(1, {{"owner_id", {{"value", "me"}, {"base", nullptr}}}})), ErrorCode::invalid_argument,
          422, "customers has no field 'owner_id'");
    check(bad(change(1, {{"budget", {{"value", "lots"}, {"base", nullptr}}}})), ErrorCode::invalid_argument,
          422, "budget must be an integer");
    check(bad(change(1, {{"birthday", {{"value", "1990-13-01"}, {"base", nullptr}}}})),
          ErrorCode::invalid_argument, 422, "birthday must be a date");
    check(bad(change(1, {{"budget", {{"value", 18446744073709551615ULL}, {"base", nullptr}}}})),
          ErrorCode::invalid_argument, 422, "out of range");
    check(bad(change(1, {{"name", {{"value", "x"}, {"base", "yesterday"}}}})), ErrorCode::invalid_argument,
          422, "not a version");
    c = change(1, name_field());
    c["id"] = "42";
    check(bad(c), ErrorCode::invalid_argument, 422, "UUID");
    c = change(1, name_field());
    c["hlc"] = "019AB3F0C1A20000";
    check(bad(c), ErrorCode::invalid_argument, 422, "16 lowercase hex");
    check(bad(change(1, json::object())), ErrorCode::invalid_argument, 422, "is empty");
}

TEST_CASE("codec: sequence numbers must be positive and strictly increasing") {
    check(rejected(push(json::array({change(0, name_field())})).dump()), ErrorCode::invalid_argument, 422,
          "must be positive");
    check(rejected(push(json::array({change(-3, name_field())})).dump()), ErrorCode::invalid_argument, 422,
          "must be positive");
    check(rejected(push(json::array({change(5, name_field()), change(5, name_field())})).dump()),
          ErrorCode::invalid_argument, 422, "seq 5 follows 5");
    check(rejected(push(json::array({change(7, name_field()), change(3, name_field())})).dump()),
          ErrorCode::invalid_argument, 422, "seq 3 follows 7");
    check(rejected(R"({"protocol":1,"pull":{"cursor":-1}})"), ErrorCode::invalid_argument, 422, "negative");
}

TEST_CASE("codec: a pull asking for more than a page gets a page") {
    auto decoded = decode_sync_request(R"({"protocol":1,"pull":{"cursor":0,"limit":100000}})", Limits{});
    REQUIRE(decoded.ok());
    CHECK(decoded->pull->limit == 2000);
    // A full page's changes fit in one JSON array.
    CHECK(static_cast<std::size_t>(Limits{}.max_pull_page) <= Limits{}.max_array_length);
}

TEST_CASE("codec: error bodies carry the code and message, and decode back") {
    const Error e = make_error(ErrorCode::limit_exceeded, "too big", ErrorDomain::sync);
    const auto body = encode_error(e);
    CHECK(json::parse(body) == json{{"error", {{"code", "limit_exceeded"}, {"message", "too big"}}}});
    const Error back = decode_error(413, body);
    CHECK(back.code == ErrorCode::limit_exceeded);
    CHECK(back.message == "too big");
    CHECK(decode_error(503, "<html>").code == ErrorCode::internal);
}

TEST_CASE("codec: enrolment and admin messages are validated too") {
    CHECK(decode_enrol_request(R"({"protocol":1,"code":"A","device_name":"t","replica_id":"nope"})", Limits{})
              .error().code == ErrorCode::invalid_argument);
    CHECK(decode_consultant_input(R"({"protocol":1,"name":"李娜","role":"boss"})", Limits{}).error().code ==
          ErrorCode::invalid_argument);
    CHECK(decode_vehicle_models(R"({"protocol":1,"models":[{"name":"Camry","price":-1}]})", Limits{})
              .error().code == ErrorCode::invalid_argument);
    auto poke = decode_poke(encode(Poke{17}), Limits{});
    REQUIRE(poke.ok());
    CHECK(poke->cursor == 17);
}

TEST_CASE("codec: a 422 for one pushed change's content names that change's seq") {
    auto refused_by = [](const json& request) {
        std::optional<std::int64_t> refused = 99;  // reset by the decoder
        auto decoded = decode_sync_request(request.dump(), Limits{}, &refused);
        REQUIRE_FALSE(decoded.ok());
        return refused;
    };
    const json good = change(4, name_field());
    CHECK(refused_by(push(json::array({good, change(9, {{"budget", {{"value", "lots"}, {"base", nullptr}}}})}))) == 9);
    json unknown_table = change(6, name_field());
    unknown_table["table"] = "payroll";
    CHECK(refused_by(push(json::array({good, unknown_table}))) == 6);
    // Not one change's content: the batch's order, a seq that is itself
    // wrong, a member of the wrong JSON shape (400), a pull out of range.
    CHECK_FALSE(refused_by(push(json::array({change(7, name_field()), change(3, name_field())}))).has_value());
    CHECK_FALSE(refused_by(push(json::array({change(-3, name_field())}))).has_value());
    json shapeless = change(5, name_field());
    shapeless["fields"] = "name";
    CHECK_FALSE(refused_by(push(json::array({shapeless}))).has_value());
    CHECK_FALSE(refused_by(json{{"protocol", 1}, {"pull", {{"cursor", -1}}}}).has_value());

    const auto body = encode_error(make_error(ErrorCode::invalid_argument, "budget must be an integer"), 9);
    CHECK(json::parse(body)["error"]["seq"] == 9);
    CHECK(refused_seq(body) == 9);
    CHECK(decode_error(422, body).message == "budget must be an integer");
    CHECK_FALSE(refused_seq(encode_error(make_error(ErrorCode::invalid_argument, "no"))).has_value());
    CHECK_FALSE(refused_seq(R"({"error":{"code":"invalid_argument","message":"no","seq":"9"}})").has_value());
    CHECK_FALSE(refused_seq(R"({"error":{"code":"invalid_argument","message":"no","seq":0}})").has_value());
    CHECK_FALSE(refused_seq("<html>").has_value());
}
