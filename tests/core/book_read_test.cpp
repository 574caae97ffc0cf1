// Reading the book: search by phone and name, filtered lists, the customer card.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "book_fixture.hpp"
#include "checks.hpp"

using namespace forecourt;
using testing::must;

namespace {

std::vector<std::string> names(const std::vector<model::CustomerSummary>& found) {
    std::vector<std::string> out;
    for (const auto& s : found) out.push_back(s.name);
    return out;
}

}  // namespace

TEST_CASE("find: a phone typed in any format finds its customer") {
    testing::BookFixture fx;
    const auto wang = fx.add_prospect("王伟", "13800138000");
    const auto li = fx.add_prospect("李娜", "021-6234-5678");
    fx.add_prospect("王芳", "13900139000");
    for (const char* typed : {"13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000",
                              "+86-138-0013-8000", "+8613800138000", "0086 138 0013 8000",
                              "008613800138000", "8613800138000", "(+86) 138.0013.8000"}) {
        CAPTURE(typed);
        auto found = must(fx->find(typed));
        REQUIRE(found.size() == 1);
        CHECK(found[0].id == wang);
    }
    for (const char* typed :
         {"02162345678", "(021) 6234 5678", "+86 21 6234 5678", "0086-21-62345678"}) {
        CAPTURE(typed);
        auto found = must(fx->find(typed));
        REQUIRE(found.size() == 1);
        CHECK(found[0].id == li);
    }
    CHECK(must(fx->find("+86 137 0000 0000")).empty());
}

TEST_CASE("find: four or more digits find every number containing them; fewer are refused") {
    testing::BookFixture fx;
    fx.add_prospect("王伟", "13800138000");
    fx.add_prospect("王芳", "13900138000");
    fx.add_prospect("李娜", "13711112222");
    CHECK(names(must(fx->find("8000"))) == std::vector<std::string>{"王伟", "王芳"});
    CHECK(names(must(fx->find("3800-1380"))) == std::vector<std::string>{"王伟"});
    CHECK(names(must(fx->find("1111"))) == std::vector<std::string>{"李娜"});
    CHECK(must(fx->find("9999")).empty());
    FC_CHECK_FAILS(fx->find("800"), ErrorCode::invalid_argument, "at least 4 digits");
    FC_CHECK_FAILS(fx->find("   "), ErrorCode::invalid_argument, "name or a phone number");
}

TEST_CASE("find: a name prefix finds Chinese names") {
    testing::BookFixture fx;
    fx.add_prospect("王伟", "13800138000");
    fx.add_prospect("王芳", "13900139000");
    fx.add_prospect("李娜", "13700137000");
    fx.add_prospect("王伟强", "13600136000");
    fx.add_prospect("Wang Lei", "13500135000");
    auto wangs = names(must(fx->find("王")));
    CHECK(std::set<std::string>(wangs.begin(), wangs.end()) ==
          std::set<std::string>{"王伟", "王芳", "王伟强"});
    auto wang_wei = names(must(fx->find("王伟")));
    CHECK(std::set<std::string>(wang_wei.begin(), wang_wei.end()) ==
          std::set<std::string>{"王伟", "王伟强"});
    CHECK(names(must(fx->find(" 李娜 "))) == std::vector<std::string>{"李娜"});
    CHECK(names(must(fx->find("Wang"))) == std::vector<std::string>{"Wang Lei"});
    CHECK(must(fx->find("张")).empty());
    CHECK(must(fx->find("伟")).empty());  // a prefix, not a substring
    CHECK(must(fx->find("王", 2)).size() == 2);
}

TEST_CASE("list: filters by grade, status and kind, hottest grade first") {
    testing::BookFixture fx;
    const auto c = fx.add_prospect("陈静", "13100131000", "C");
    fx.add_prospect("王伟", "13800138000", "H");
    fx.add_prospect("李娜", "13700137000", "A");
    const auto lost = fx.add_prospect("王芳", "13900139000", "B");
    const auto won = fx.add_prospect("张磊", "13600136000", "H");
    FC_REQUIRE_OK(fx->mark_lost(lost, "price", std::nullopt));
    VehicleInput car;
    car.model = "Camry";
    FC_REQUIRE_OK(fx->mark_won(won, car));
    CHECK(names(must(fx->list({}))) ==
          std::vector<std::string>{"张磊", "王伟", "李娜", "王芳", "陈静"});
    ListFilter h;
    h.grade = "H";
    CHECK(must(fx->list(h)).size() == 2);
    h.status = "active";
    CHECK(names(must(fx->list(h))) == std::vector<std::string>{"王伟"});
    ListFilter lost_ones;
    lost_ones.status = "lost";
    CHECK(names(must(fx->list(lost_ones))) == std::vector<std::string>{"王芳"});
    ListFilter prospects;
    prospects.kind = "prospect";
    prospects.status = "active";
    CHECK(names(must(fx->list(prospects))) == std::vector<std::string>{"王伟", "李娜", "陈静"});
    ListFilter limited;
    limited.limit = 2;
    CHECK(must(fx->list(limited)).size() == 2);
    ListFilter bad;
    bad.status = "deleted";
    FC_CHECK_FAILS(fx->list(bad), ErrorCode::invalid_argument, "active, won, lost, archived");
    CHECK(must(fx->list({})).back().id == c);
}

TEST_CASE("card: everything recorded about a customer, with the timeline newest first") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "C");
    fx.clock().advance(3'600'000);
    auto call = testing::contact_input(id, "phone_call", "collect_info", "wants a hybrid");
    must(fx->record_contact(call));
    fx.clock().advance(3'600'000);
    TestDriveInput drive;
    drive.customer_id = id;
    drive.model = "RAV4";
    drive.licence_checked = true;
    must(fx->record_test_drive(drive));
    fx.clock().advance(3'600'000);
    must(fx->change_grade(id, "A", "liked the drive"));
    must(fx->plan_follow_up(testing::follow_up_input(id, "2025-11-28", "visit", "promote_deal")));
    VehicleInput trade_in;
    trade_in.model = "Corolla 2015";
    must(fx->add_vehicle(id, trade_in));

    auto card = must(fx->card(id));
    CHECK(card.customer.name == "王伟");
    CHECK(card.vehicles.size() == 1);
    CHECK(card.contacts.size() == 2);  // the call and the test drive
    CHECK(card.test_drives.size() == 1);
    CHECK(card.grade_changes.size() == 2);
    CHECK(card.follow_ups.size() == 1);
    REQUIRE(card.timeline.size() == 6);
    CHECK(std::is_sorted(card.timeline.begin(), card.timeline.end(),
                         [](const auto& a, const auto& b) { return a.at > b.at; }));
    CHECK(card.timeline.front().type == "follow_up");  // due in the future
    CHECK(card.timeline[1].type == "grade_change");
    CHECK(card.timeline[1].summary.find("C → A") != std::string::npos);
    CHECK(card.timeline.back().type == "grade_change");  // the registration
    std::multiset<std::string> types;
    for (const auto& t : card.timeline) types.insert(t.type);
    CHECK(types.count("contact") == 2);
    CHECK(types.count("test_drive") == 1);
    FC_CHECK_FAILS(fx->card("0190a1b2-0000-7000-8000-000000000000"), ErrorCode::not_found,
                   "0190a1b2-0000-7000-8000-000000000000");
}
