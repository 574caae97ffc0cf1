// `forecourt tablet …` end to end: a consultant's commands on a real book, with
// the exit codes and JSON shapes scripts rely on.
#include <doctest/doctest.h>

#include "cli_fixture.hpp"
#include "forecourt/core/uuid.hpp"

using namespace forecourt::testing;
using nlohmann::json;

TEST_CASE("cli: init creates the book and register prints the new customer's id") {
    CliHome cli;
    auto r = cli.tablet({"register", "王伟", "--phone", "+86 138-0013-8000", "--source", "walk_in",
                         "--grade", "B", "--model", "Horizon X5", "--budget", "250000"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(forecourt::is_uuid(first_line(r)));
    CHECK(r.err.empty());
}

TEST_CASE("cli: init refuses a home that already has a book") {
    CliHome cli;
    auto r = cli.tablet({"init", "--consultant", "张三"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("already exists") != std::string::npos);
}

TEST_CASE("cli: a phone already in the book is refused with exit 4 unless --allow-duplicate") {
    CliHome cli;
    cli.register_prospect("王伟", "+86 138-0013-8000");
    auto r = cli.tablet({"register", "王五", "--phone", "13800138000", "--source", "phone_in"});
    CHECK(r.exit_code == 4);
    CHECK(r.out.empty());
    CHECK(r.err.find("already belongs to 王伟") != std::string::npos);
    CHECK(r.err.find("--allow-duplicate") != std::string::npos);
    auto again = cli.tablet({"register", "王五", "--phone", "13800138000", "--source", "phone_in",
                             "--allow-duplicate"});
    CHECK(again.exit_code == 0);
}

TEST_CASE("cli: find matches a phone typed in another format") {
    CliHome cli;
    const auto id = cli.register_prospect("王伟", "+86 138-0013-8000");
    cli.register_prospect("李雷", "139 0000 1111");
    auto found = json_of(cli.tablet({"find", "138 0013 8000", "--json"}));
    REQUIRE(found.is_array());
    REQUIRE(found.size() == 1);
    CHECK(found[0]["id"] == id);
    CHECK(found[0]["name"] == "王伟");
    CHECK(found[0]["phones"][0] == "13800138000");
    auto by_part = cli.tablet({"find", "0013"});
    CHECK(by_part.exit_code == 0);
    CHECK(by_part.out.find("王伟") != std::string::npos);
}

TEST_CASE("cli: a contact with --grade-after changes the grade and plans the next contact") {
    CliHome cli;
    const auto id = cli.register_prospect("王伟", "13800138000", "B");
    cli.ok({"contact", id, "--kind", "phone_call", "--purpose", "promote_deal", "--outcome",
            "wants a test drive", "--grade-after", "A", "--next", "2030-01-10"});
    auto card = json_of(cli.tablet({"card", id, "--json"}));
    CHECK(card["customer"]["grade"] == "A");
    CHECK(card["contacts"].size() == 1);
    CHECK(card["contacts"][0]["outcome"] == "wants a test drive");
    REQUIRE(card["grade_changes"].size() == 2);
    CHECK(card["grade_changes"][0]["from_grade"] == "B");
    CHECK(card["grade_changes"][0]["to_grade"] == "A");
    REQUIRE(card["follow_ups"].size() == 1);
    CHECK(card["follow_ups"][0]["due"] == "2030-01-10");
    auto human = cli.tablet({"card", id});
    CHECK(human.out.find("A — buys within a month") != std::string::npos);
}

TEST_CASE("cli: a planned follow-up is on the agenda of its due date, then overdue") {
    CliHome cli;
    const auto id = cli.register_prospect("王伟", "13800138000", "B");
    const auto follow_up = cli.ok({"plan", id, "--due", "2030-01-15", "--kind", "visit",
                                   "--purpose", "collect_info", "--notes", "bring the price list"});
    CHECK(forecourt::is_uuid(follow_up));
    auto agenda = json_of(cli.tablet({"agenda", "--date", "2030-01-15", "--json"}));
    CHECK(agenda["day"] == "2030-01-15");
    REQUIRE(agenda["follow_ups"].size() == 1);
    const auto& item = agenda["follow_ups"][0];
    CHECK(item["follow_up_id"] == follow_up);
    CHECK(item["customer_id"] == id);
    CHECK(item["customer_name"] == "王伟");
    CHECK(item["due"] == "2030-01-15");
    CHECK(item["days_overdue"] == 0);
    CHECK(item["what"] == "home / office visit — collect purchase information");
    CHECK(agenda["total"] ==
          agenda["follow_ups"].size() + agenda["cadence"].size() + agenda["care"].size());
    auto before = json_of(cli.tablet({"agenda", "--date", "2030-01-14", "--json"}));
    CHECK(before["follow_ups"].empty());
    auto later = cli.tablet({"agenda", "--date", "2030-01-17"});
    CHECK(later.exit_code == 0);
    CHECK(later.out.find("2 days overdue") != std::string::npos);
    CHECK(later.out.find("B — buys in 1–3 months") != std::string::npos);
}

TEST_CASE("cli: card --json is the whole customer information card, history newest first") {
    CliHome cli;
    const auto id = cli.register_prospect("王伟", "13800138000", "C");
    cli.ok({"grade", id, "B", "--reason", "decided on the model"});
    cli.ok({"plan", id, "--due", "2030-02-01"});
    auto card = json_of(cli.tablet({"card", id, "--json"}));
    for (const char* key : {"customer", "vehicles", "follow_ups", "contacts", "test_drives",
                            "grade_changes", "timeline"})
        CHECK_MESSAGE(card.contains(key), key);
    CHECK(card["customer"]["id"] == id);
    CHECK(card["customer"]["status"] == "active");
    const auto& timeline = card["timeline"];
    REQUIRE(timeline.size() >= 3);
    for (std::size_t i = 1; i < timeline.size(); ++i)
        CHECK(timeline[i - 1]["at"].get<std::int64_t>() >= timeline[i]["at"].get<std::int64_t>());
}

TEST_CASE("cli: lost needs --reason (usage error) and a known reason code (invalid input)") {
    CliHome cli;
    const auto id = cli.register_prospect("郑强", "13588881212");
    auto missing = cli.tablet({"lost", id});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("--reason") != std::string::npos);
    auto unknown = cli.tablet({"lost", id, "--reason", "weather"});
    CHECK(unknown.exit_code == 4);
    CHECK(unknown.err.find("price, product, service, competitor") != std::string::npos);
    auto lost = cli.tablet({"lost", id, "--reason", "price", "--note", "bought used"});
    CHECK(lost.exit_code == 0);
    auto again = cli.tablet({"lost", id, "--reason", "price"});
    CHECK(again.exit_code == 5);
}

TEST_CASE("cli: an id that names nothing exits 3") {
    CliHome cli;
    const std::string nobody = "0190a000-0000-7000-8000-000000000000";
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"card", nobody},
             {"contact", nobody, "--kind", "phone_call", "--purpose", "keep_in_touch"},
             {"complete", nobody},
             {"grade", nobody, "A", "--reason", "x"}}) {
        auto r = cli.tablet(args);
        CHECK_MESSAGE(r.exit_code == 3, args.front());
        CHECK(r.err.find(nobody) != std::string::npos);
    }
}

TEST_CASE("cli: a home without a book exits 3 and says how to create one") {
    TempDir dir;
    auto r = run_forecourt({"tablet", "--home", dir.file("nowhere"), "agenda"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("init --consultant") != std::string::npos);
}

TEST_CASE("cli: --home is required by book commands, as a usage error") {
    auto r = run_process(FORECOURT_BIN, {"tablet", "agenda"}, {"FORECOURT_HOME="});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--home") != std::string::npos);
}

TEST_CASE("cli: FORECOURT_HOME stands in for --home") {
    CliHome cli;
    auto r = run_process(FORECOURT_BIN, {"tablet", "list"},
                         {"FORECOURT_HOME=" + cli.home(), passphrase_env()});
    CHECK(r.exit_code == 0);
}

TEST_CASE("cli: an unknown code is refused with the list of valid ones") {
    CliHome cli;
    auto r = cli.tablet({"register", "王伟", "--phone", "13800138000", "--source", "billboard"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("walk_in, phone_in") != std::string::npos);
    auto bad_date = cli.tablet({"agenda", "--date", "2030-02-30"});
    CHECK(bad_date.exit_code == 4);
    CHECK(bad_date.err.find("YYYY-MM-DD") != std::string::npos);
}
