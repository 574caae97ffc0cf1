// `forecourt tablet …` on the rest of the book: editing the card, the
// follow-up lifecycle, deliveries, events and test drives, lists, the outbox
// and the vocabulary.
#include <doctest/doctest.h>

#include "cli_fixture.hpp"
#include "forecourt/core/uuid.hpp"

using namespace forecourt::testing;
using nlohmann::json;

TEST_CASE("cli: edit sets typed fields and clears one with null") {
    CliHome cli;
    const auto id = cli.register_prospect("王伟", "13800138000");
    cli.ok({"edit", id, "--set", "company=华东物流", "--set", "budget=300000"});
    cli.ok({"edit", id, "--set", "models_of_interest=Horizon X5, Horizon S3", "--set",
            "phones=13800138000,021-6234 5678", "--set", "company=null"});
    auto c = json_of(cli.tablet({"card", id, "--json"}))["customer"];
    CHECK(c["budget"] == 300000);
    CHECK(c["company"].is_null());
    CHECK(c["models_of_interest"] == json({"Horizon X5", "Horizon S3"}));
    CHECK(c["phones"] == json({"13800138000", "02162345678"}));
    auto not_a_number = cli.tablet({"edit", id, "--set", "budget=lots"});
    CHECK(not_a_number.exit_code == 4);
    auto not_editable = cli.tablet({"edit", id, "--set", "grade=A"});
    CHECK(not_editable.exit_code == 4);
    CHECK(not_editable.err.find("not an editable card field") != std::string::npos);
    auto no_equals = cli.tablet({"edit", id, "--set", "budget"});
    CHECK(no_equals.exit_code == 4);
}

TEST_CASE("cli: a follow-up is rescheduled, completed with a grade change, then closed") {
    CliHome cli;
    const auto id = cli.register_prospect("孙悦", "13600136000", "A");
    const auto f = cli.ok({"plan", id, "--due", "2030-01-10", "--purpose", "promote_deal"});
    cli.ok({"reschedule", f, "--due", "2030-01-12"});
    auto agenda = json_of(cli.tablet({"agenda", "--date", "2030-01-12", "--json"}));
    REQUIRE(agenda["follow_ups"].size() == 1);
    CHECK(agenda["follow_ups"][0]["due"] == "2030-01-12");
    const auto contact =
        cli.ok({"complete", f, "--outcome", "agreed on the colour", "--grade-after", "H"});
    auto card = json_of(cli.tablet({"card", id, "--json"}));
    CHECK(card["customer"]["grade"] == "H");
    REQUIRE(card["contacts"].size() == 1);
    CHECK(card["contacts"][0]["id"] == contact);
    CHECK(card["contacts"][0]["purpose"] == "promote_deal");
    CHECK(card["follow_ups"][0]["status"] == "done");
    auto cancel = cli.tablet({"cancel", f, "--reason", "no longer needed"});
    CHECK(cancel.exit_code == 5);
    CHECK(cancel.err.find("already done") != std::string::npos);
}

TEST_CASE("cli: a cancelled follow-up leaves the agenda") {
    CliHome cli;
    const auto id = cli.register_prospect("孙悦", "13600136000", "A");
    const auto f = cli.ok({"plan", id, "--due", "2030-01-10"});
    cli.ok({"cancel", f, "--reason", "customer travelling"});
    auto agenda = json_of(cli.tablet({"agenda", "--date", "2030-01-10", "--json"}));
    CHECK(agenda["follow_ups"].empty());
}

TEST_CASE("cli: won makes a base customer with a vehicle, and maintenance comes up as care") {
    CliHome cli;
    const auto id = cli.register_prospect("周敏", "13917620458", "H");
    cli.ok({"won", id, "--model", "Horizon S3", "--vin", "LHGCV1658N8012345", "--plate",
            "沪A D5821", "--colour", "pearl white", "--delivery", "2030-01-05",
            "--next-maintenance", "2030-07-05", "--insurance-expiry", "2031-01-04"});
    auto card = json_of(cli.tablet({"card", id, "--json"}));
    CHECK(card["customer"]["kind"] == "base");
    CHECK(card["customer"]["status"] == "won");
    REQUIRE(card["vehicles"].size() == 1);
    CHECK(card["vehicles"][0]["next_maintenance"] == "2030-07-05");
    CHECK(card["vehicles"][0]["purchase_date"].is_string());
    auto agenda = json_of(cli.tablet({"agenda", "--date", "2030-06-28", "--json"}));
    REQUIRE(agenda["care"].size() == 1);
    CHECK(agenda["care"][0]["rule"] == "care:maintenance_due");
    auto bad_vin = cli.tablet({"vehicle", id, "--model", "Horizon X5", "--vin", "123"});
    CHECK(bad_vin.exit_code == 4);
    CHECK(forecourt::is_uuid(cli.ok({"vehicle", id, "--model", "Horizon X5"})));
}

TEST_CASE("cli: a test drive at an event is on the card and the event is listed") {
    CliHome cli;
    const auto event = cli.ok({"event", "Roadside test drive", "--date", "2030-03-02", "--location",
                               "Century Park", "--model", "Horizon X5"});
    const auto id = cli.register_prospect("赵磊", "17712349876");
    cli.ok({"test-drive", id, "--model", "Horizon X5", "--licence-checked", "--minutes", "20",
            "--interest", "4", "--feedback", "quiet cabin", "--event", event});
    auto card = json_of(cli.tablet({"card", id, "--json"}));
    REQUIRE(card["test_drives"].size() == 1);
    const auto& drive = card["test_drives"][0];
    CHECK(drive["licence_checked"] == true);
    CHECK(drive["interest"] == 4);
    CHECK(drive["event_id"] == event);
    CHECK(drive["ended_at"].get<std::int64_t>() - drive["started_at"].get<std::int64_t>() ==
          20 * 60'000);
    auto events = json_of(cli.tablet({"events", "--json"}));
    REQUIRE(events.size() == 1);
    CHECK(events[0]["id"] == event);
    CHECK(events[0]["models"] == json({"Horizon X5"}));
    auto too_keen = cli.tablet({"test-drive", id, "--model", "Horizon X5", "--interest", "9"});
    CHECK(too_keen.exit_code == 4);
}

TEST_CASE("cli: list filters by grade and status") {
    CliHome cli;
    cli.register_prospect("王伟", "13800138000", "B");
    cli.register_prospect("吴刚", "18621107788", "H");
    const auto lost = cli.register_prospect("郑强", "13588881212", "C");
    cli.ok({"lost", lost, "--reason", "competitor"});
    auto all = json_of(cli.tablet({"list", "--json"}));
    REQUIRE(all.size() == 3);
    CHECK(all[0]["name"] == "吴刚");  // hottest grade first
    auto grade_b = json_of(cli.tablet({"list", "--grade", "B", "--json"}));
    REQUIRE(grade_b.size() == 1);
    CHECK(grade_b[0]["name"] == "王伟");
    auto lost_ones = json_of(cli.tablet({"list", "--status", "lost", "--json"}));
    REQUIRE(lost_ones.size() == 1);
    CHECK(lost_ones[0]["id"] == lost);
    auto human = cli.tablet({"list"});
    CHECK(human.out.find("3 customers") != std::string::npos);
}

TEST_CASE("cli: the outbox shows every change waiting for sync") {
    CliHome cli;
    const auto empty = json_of(cli.tablet({"outbox", "--json"}));
    CHECK(empty["pending"] == 0);
    const auto id = cli.register_prospect("王伟", "13800138000");
    auto outbox = json_of(cli.tablet({"outbox", "--json"}));
    CHECK(outbox["pending"].get<int>() >= 2);  // the customer and its first grade
    REQUIRE(outbox["changes"].size() == outbox["pending"].get<std::size_t>());
    const auto& first = outbox["changes"][0];
    CHECK(first["table"] == "customers");
    CHECK(first["record_id"] == id);
    CHECK(first["fields"]["name"]["value"] == "王伟");
    CHECK(first["hlc"].get<std::string>().size() == 16);
    auto limited = json_of(cli.tablet({"outbox", "--limit", "1", "--json"}));
    CHECK(limited["changes"].size() == 1);
    auto human = cli.tablet({"outbox"});
    CHECK(human.out.find("waiting for sync") != std::string::npos);
}

TEST_CASE("cli: vocabulary lists every code list with labels, without a book") {
    auto doc = json_of(run_forecourt({"tablet", "vocabulary", "--json"}));
    for (const char* key :
         {"grades", "sources", "contact_kinds", "contact_purposes", "loss_reasons"})
        CHECK_MESSAGE(doc.contains(key), key);
    REQUIRE(doc["grades"].size() == 5);
    CHECK(doc["grades"][0]["code"] == "O");
    CHECK(doc["sources"][0] == json({{"code", "walk_in"}, {"label", "walk-in (来店)"}}));
    auto human = run_forecourt({"tablet", "vocabulary"});
    CHECK(human.exit_code == 0);
    CHECK(human.out.find("maintenance reminder (保养提醒)") != std::string::npos);
}
