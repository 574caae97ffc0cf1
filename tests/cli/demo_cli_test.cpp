// `forecourt demo`: the scripted consultant's day finishes by itself and tells its story.
#include <filesystem>

#include <doctest/doctest.h>

#include "cli_fixture.hpp"

using namespace forecourt::testing;

TEST_CASE("cli: demo plays the day, prints the next morning's agenda and cleans up") {
    auto r = run_process(FORECOURT_BIN, {"demo"}, {}, 120);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* heading :
         {"Last week", "Saturday 2025-11-22", "Sunday morning: the agenda",
          "Agenda for Sun 2025-11-23", "Customer card: 刘洋", "Waiting in the outbox for sync"})
        CHECK_MESSAGE(r.out.find(heading) != std::string::npos, heading);
    CHECK(r.out.find("grade H → O") != std::string::npos);
    CHECK(r.out.find("2 days overdue") != std::string::npos);
    const auto at = r.out.find("Book: ");
    REQUIRE(at != std::string::npos);
    const auto path = r.out.substr(at + 6, r.out.find(' ', at + 6) - at - 6);
    CHECK_FALSE(std::filesystem::exists(std::filesystem::path(path).parent_path()));
}

TEST_CASE("cli: demo --json reports the agenda, the card and the outbox") {
    auto doc = json_of(run_process(FORECOURT_BIN, {"demo", "--json"}, {}, 120));
    const auto& agenda = doc["agenda"];
    CHECK(agenda["day"] == "2025-11-23");
    REQUIRE(agenda["follow_ups"].size() == 2);
    CHECK(agenda["follow_ups"][0]["customer_name"] == "孙悦");
    CHECK(agenda["follow_ups"][0]["days_overdue"] == 2);
    REQUIRE(agenda["cadence"].size() == 1);
    CHECK(agenda["cadence"][0]["customer_name"] == "吴刚");
    REQUIRE(agenda["care"].size() == 1);
    CHECK(agenda["care"][0]["rule"] == "care:birthday");
    CHECK(doc["card"]["customer"]["name"] == "刘洋");
    CHECK(doc["card"]["customer"]["grade"] == "O");
    CHECK(doc["outbox"]["pending"].get<int>() > 20);
    CHECK(doc["outbox"]["by_table"]["contacts"].get<int>() >= 4);
    CHECK(doc["steps"].size() > 15);
    CHECK(doc["removed"] == true);
}

TEST_CASE("cli: demo --home keeps the book for the tablet commands") {
    TempDir dir;
    const auto home = dir.file("demo-home");
    auto r = run_process(FORECOURT_BIN, {"demo", "--home", home}, {}, 120);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("demo's passphrase \"forecourt-demo\"") != std::string::npos);
    auto listed = json_of(run_process(FORECOURT_BIN, {"tablet", "--home", home, "list", "--json"},
                                      {passphrase_env("forecourt-demo")}));
    CHECK(listed.size() == 8);
    auto again = run_forecourt({"demo", "--home", home});
    CHECK(again.exit_code == 4);
    CHECK(again.err.find("fresh home") != std::string::npos);
}
