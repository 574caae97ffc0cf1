// `forecourt demo`: the scripted consultant's day, then the store server and
// sync story, finish by themselves and tell their story.
#include <chrono>
#include <filesystem>
#include <regex>

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

namespace {

// The text between a heading and the next "== … ==" heading.
std::string section(const std::string& out, const std::string& heading) {
    const auto start = out.find(heading);
    if (start == std::string::npos) return {};
    const auto end = out.find("\n== ", start + heading.size());
    return out.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
        ++n;
    return n;
}

}  // namespace

TEST_CASE("cli: demo runs a store server on loopback, syncs two devices and shows the conflict") {
    const auto started = std::chrono::steady_clock::now();
    auto r = run_process(FORECOURT_BIN, {"demo"}, {}, 120);
    const auto took = std::chrono::steady_clock::now() - started;
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(took < std::chrono::seconds(60));
    CHECK(std::regex_search(r.out, std::regex(R"(store server at https://127\.0\.0\.1:\d+ )")));
    CHECK(std::regex_search(r.out,
                            std::regex(R"(fingerprint: SHA256:[0-9A-F]{2}(:[0-9A-F]{2}){31})")));
    for (const char* device :
         {"李娜's tablet enrols", "李娜's phone enrols", "张伟's tablet enrols"})
        CHECK_MESSAGE(r.out.find(device) != std::string::npos, device);
    CHECK(r.out.find("0 customers: none of 李娜's") != std::string::npos);
    CHECK(std::regex_search(
        r.out, std::regex(R"(the tablet syncs: pushed \d+, pulled \d+, conflicts 1)")));
    for (const char* heading :
         {"王伟's card on 李娜's tablet, after sync", "王伟's card on 李娜's phone, after sync"}) {
        const auto card = section(r.out, heading);
        INFO(heading);
        CHECK(occurrences(card, "wants the X5 in grey and will pay in full") == 1);
        CHECK(occurrences(card, "asks whether the 7-seat X5 fits his budget") == 1);
        CHECK(std::regex_search(card, std::regex(R"(budget +300,000)")));
        CHECK(std::regex_search(card, std::regex(R"(payment +full payment)")));
        CHECK(std::regex_search(card, std::regex(R"(household +two children; needs 7 seats)")));
    }
    CHECK(r.out.find("The two cards are identical: the visit and the call once each") !=
          std::string::npos);
    const auto manager = section(r.out, "What the manager sees: forecourt admin conflicts");
    CHECK(std::regex_search(
        manager,
        std::regex(R"(2025-11-24 12:30 +customers +[0-9a-f-]{36} +budget +300000 +280000 )")));
    CHECK(manager.find("王伟's budget: kept 300000 (李娜's phone at 11:35), overwritten 280000 "
                       "(李娜's tablet at 10:05)") != std::string::npos);
    const auto status = section(r.out, "The devices' sync status");
    CHECK(
        std::regex_search(status, std::regex(R"(李娜's tablet +李娜 +enrolled +\d+ +\d+ +1 +0)")));
    CHECK(std::regex_search(status, std::regex(R"(李娜's phone +李娜 +enrolled +\d+ +\d+ +0 +0)")));
    CHECK(r.out.find("the store server stops") != std::string::npos);
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

TEST_CASE("cli: demo --json reports the sync story: devices, both cards and the conflicts log") {
    auto doc = json_of(run_process(FORECOURT_BIN, {"demo", "--json"}, {}, 120));
    const auto& sync = doc["sync"];
    CHECK(sync["server"].get<std::string>().starts_with("https://127.0.0.1:"));
    CHECK(sync["identical"] == true);
    CHECK(sync["cards"]["tablet"] == sync["cards"]["phone"]);
    const auto& customer = sync["cards"]["phone"]["customer"];
    CHECK(customer["name"] == "王伟");
    CHECK(customer["budget"] == 300000);
    CHECK(customer["payment_method"] == "cash");
    CHECK(customer["household_notes"] == "two children; needs 7 seats");
    REQUIRE(sync["conflicts"].size() == 1);
    const auto& conflict = sync["conflicts"][0];
    CHECK(conflict["table"] == "customers");
    CHECK(conflict["record_id"] == sync["customer_id"]);
    CHECK(conflict["field"] == "budget");
    CHECK(conflict["winner"]["value"] == 300000);
    CHECK(conflict["loser"]["value"] == 280000);
    REQUIRE(sync["devices"].size() == 3);
    for (const auto& device : sync["devices"]) {
        INFO(device.dump());
        CHECK(device["status"] == "enrolled");
        CHECK(device["pending"] == 0);
    }
    CHECK(sync["devices"][0]["conflicts"] == 1);
    CHECK(sync["devices"][0]["pushed"].get<int>() > 20);
    CHECK(sync["devices"][1]["pulled"].get<int>() > 20);
    bool stops = false;
    for (const auto& step : doc["steps"])
        stops = stops || step["what"].get<std::string>().starts_with("the store server stops");
    CHECK(stops);
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
    const auto store = (std::filesystem::path(home) / "store").string();
    auto conflicts =
        json_of(run_process(FORECOURT_BIN, {"admin", "--home", store, "conflicts", "--json"}));
    REQUIRE(conflicts["conflicts"].size() == 1);
    CHECK(conflicts["conflicts"][0]["field"] == "budget");
    auto devices =
        json_of(run_process(FORECOURT_BIN, {"admin", "--home", store, "devices", "--json"}));
    CHECK(devices["devices"].size() == 3);
    auto again = run_forecourt({"demo", "--home", home});
    CHECK(again.exit_code == 4);
    CHECK(again.err.find("fresh home") != std::string::npos);
}
