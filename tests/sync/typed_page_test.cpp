// The pulled page read straight into typed changes: it takes every page a
// real store writes, and on any input at all it decodes exactly what the
// document decoder decodes, or fails with exactly its error.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "forecourt/fixtures/book_generator.hpp"
#include "sync_fixture.hpp"
#include "typed_page_reader.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

namespace {

const std::string kCustomer = "0193a1c0-0000-7000-8000-000000000001";
const std::string kContact = "0193a1c0-0000-7000-8000-000000000002";

// Keeps the body of every answer to POST /v1/sync.
class RecordingTransport : public sync::Transport {
public:
    explicit RecordingTransport(StoreFixture& server) : inner_(server) {}
    Result<sync::Response> send(const sync::Request& request) override {
        auto response = inner_.send(request);
        if (response.ok() && request.target == "/v1/sync" && response->status == 200)
            bodies.push_back(response->body);
        return response;
    }
    std::vector<std::string> bodies;

private:
    InProcessTransport inner_;
};

// The two decoders agree: the same response, or the same error.
void check_same(const std::string& body, const sync::Limits& limits) {
    CAPTURE(body);
    const auto direct = sync::decode_sync_response(body, limits);
    const auto document = sync::decode_sync_response_document(body, limits);
    REQUIRE(direct.ok() == document.ok());
    if (direct.ok()) {
        CHECK(*direct == *document);
    } else {
        CHECK(direct.error().code == document.error().code);
        CHECK(direct.error().message == document.error().message);
    }
}

// A page with every kind of field value, a purge and reference data.
json sample_page() {
    sync::SyncResponse response;
    response.store_id = "store-1";
    response.server_hlc = Hlc{0x019ab3f0c1a20003};
    response.push = sync::PushResult{9, 2, 1, 1, 0, 1};
    const Version shared{Hlc{0x019ab3f0c1a20001}, "tablet-a"},
        own{Hlc{0x019ab3f0c1a20002}, "tablet-b"};
    using sync::FieldValue;
    response.pull = sync::PullPage{
        {sync::PulledChange{
             11,
             sync::PulledOp::upsert,
             "customers",
             kCustomer,
             "li",
             {FieldValue{"budget", 300000, shared}, FieldValue{"grade", "H", own},
              FieldValue{"name", "王\"伟\" \\ \u00e9", shared},
              FieldValue{"phones", json::array({"13800138000", "13900139000"}), shared},
              FieldValue{"birthday", nullptr, own}, FieldValue{"created_at", -5, shared}}},
         sync::PulledChange{12, sync::PulledOp::purge, "contacts", kContact, "", {}},
         sync::PulledChange{
             13,
             sync::PulledOp::upsert,
             "test_drives",
             kContact,
             "li",
             {FieldValue{"licence_checked", true, shared}, FieldValue{"model", "汉 EV", shared}}},
         sync::PulledChange{
             14,
             sync::PulledOp::upsert,
             "vehicle_models",
             kCustomer,
             "",
             {FieldValue{"name", "秦 PLUS", own}, FieldValue{"price", 139800, own}}}},
        14,
        true,
        40};
    return json::parse(sync::encode(response));
}

// One random change to the page's JSON: a member removed, added, retyped or
// repeated; a value of another type; seqs out of order; an unknown member.
std::string mutate(json page, std::mt19937_64& rng) {
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    const json kinds[] = {nullptr,
                          true,
                          7,
                          -7,
                          18446744073709551615ULL,
                          1.5,
                          "text",
                          "0000000000000005@r",
                          json::array(),
                          json::array({"a"}),
                          json::array({1}),
                          json::object(),
                          json{{"x", 1}},
                          kCustomer,
                          "customers",
                          "upsert",
                          "purge"};
    auto any_value = [&] { return kinds[pick(std::size(kinds))]; };
    json& changes = page["pull"]["changes"];
    json& c = changes[pick(changes.size())];
    switch (pick(12)) {
        case 0: {  // a member of the change removed
            auto it = c.begin();
            std::advance(it, static_cast<long>(pick(c.size())));
            c.erase(it.key());
            break;
        }
        case 1: {  // a member of the change of another type
            auto it = c.begin();
            std::advance(it, static_cast<long>(pick(c.size())));
            *it = any_value();
            break;
        }
        case 2:
            c[pick(2) ? "colour" : "extra"] = any_value();
            break;
        case 3:
            if (c.contains("fields") && c["fields"].is_object() && !c["fields"].empty()) {
                auto it = c["fields"].begin();
                std::advance(it, static_cast<long>(pick(c["fields"].size())));
                *it = any_value();
            }
            break;
        case 4:
            c["fields"][pick(2) ? "notes" : "no_such_field"] = any_value();
            break;
        case 5:
            c["versions"][pick(2) ? "name" : "price"] = any_value();
            break;
        case 6:
            c["seq"] = pick(2) ? json(changes.front()["seq"]) : json(-1);
            break;
        case 7:
            c["op"] = pick(2) ? "purge" : "delete";
            break;
        case 8:
            c["table"] = pick(2) ? "contacts" : "payroll";
            break;
        case 9:
            c["version"] = any_value();
            break;
        case 10:
            page["pull"][pick(2) ? "cursor" : "remaining"] = any_value();
            break;
        default: {  // a member written twice: the last one counts
            std::string text = page.dump();
            const std::string seq = "\"seq\":";
            const auto at = text.find(seq, pick(text.size() / 2));
            if (at != std::string::npos) text.insert(at, "\"seq\":1,");
            return text;
        }
    }
    return page.dump();
}

}  // namespace

TEST_CASE(
    "typed page: every page a store writes is read without a document, as a document reads it") {
    TempDir dir;
    StoreFixture server(dir.path());
    const auto li = server.add_consultant("李娜");
    fixtures::BookSpec spec;
    spec.customers = 60;
    spec.now = kStart - 3'600'000;
    Tablet writer(dir.path(), "writer", spec.now - (spec.history_days + 1) * 86'400'000LL);
    need(fixtures::generate_book(writer.book(), writer.clock, spec), "generate the book");
    writer.enrol(server, li);
    InProcessTransport direct(server);
    need(writer.sync(direct));

    sync::ClientOptions options;
    options.pull_limit = 150;
    Tablet reader(dir.path(), "reader", kStart, storage::Synchronous::full, options);
    reader.enrol(server, li);
    RecordingTransport recording(server);
    need(reader.sync(recording));
    REQUIRE(recording.bodies.size() >= 3);
    std::size_t pulled = 0;
    for (const auto& body : recording.bodies) {
        CAPTURE(body);
        const auto typed = sync::detail::read_typed_response(body, sync::Limits{});
        REQUIRE(typed.has_value());
        pulled += typed->changes.size();
        check_same(body, sync::Limits{});
    }
    CHECK(pulled >= 60 * 4);  // the customers and their histories, in typed pages
    CHECK(records_of(reader.book().records(), reader.book().db()) ==
          records_of(writer.book().records(), writer.book().db()));
}

TEST_CASE("typed page: members in any order are read; anything else is the document decoder's") {
    const json page = sample_page();
    const auto typed =
        sync::detail::read_typed_response(page.dump(), sync::Limits{});  // members by name
    REQUIRE(typed.has_value());
    CHECK(typed->changes.size() == 4);
    check_same(page.dump(), sync::Limits{});

    // Not the store's shape: left to the document decoder, which accepts or names the error.
    json unknown = page;
    unknown["pull"]["changes"][0]["colour"] = "red";
    CHECK_FALSE(sync::detail::read_typed_response(unknown.dump(), sync::Limits{}).has_value());
    CHECK(sync::decode_sync_response(unknown.dump(), sync::Limits{}).ok());
    json wrong = page;
    wrong["pull"]["changes"][0]["fields"]["budget"] = "lots";
    CHECK_FALSE(sync::detail::read_typed_response(wrong.dump(), sync::Limits{}).has_value());
    const auto refused = sync::decode_sync_response(wrong.dump(), sync::Limits{});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message == "pull.changes[0].fields.budget: budget must be an integer");
}

TEST_CASE("typed page: on thousands of damaged pages the two decoders agree") {
    const json page = sample_page();
    std::mt19937_64 rng(20261204);
    sync::Limits tight;
    tight.max_depth = 5;  // a field's array value is one level too deep
    tight.max_string_bytes = 12;
    tight.max_array_length = 5;
    tight.max_fields_per_change = 3;
    int typed = 0, refused = 0;
    for (int i = 0; i < 4000; ++i) {
        std::string body = mutate(page, rng);
        if (i % 4 == 0) {  // and a byte changed, inserted or removed
            const auto at = static_cast<std::size_t>(rng() % body.size());
            switch (rng() % 3) {
                case 0:
                    body[at] = static_cast<char>(rng());
                    break;
                case 1:
                    body.insert(at, 1, "{}[],:\"\\0"[rng() % 9]);
                    break;
                default:
                    body.erase(at, 1);
                    break;
            }
        }
        const sync::Limits limits = i % 5 == 0 ? tight : sync::Limits{};
        check_same(body, limits);
        if (sync::detail::read_typed_response(body, limits)) ++typed;
        if (!sync::decode_sync_response(body, limits).ok()) ++refused;
    }
    // Both paths were exercised: damage the reader takes (an unused member
    // changed, a purge's fields) and damage only the document decoder sees.
    CHECK(typed > 200);
    CHECK(refused > 1000);
}
