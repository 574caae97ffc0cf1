// The agenda's prospect side on chosen dates: each grade's cadence, planned
// follow-ups, overdue ones, the consultant's next visit date, custom rules.
#include <doctest/doctest.h>

#include "book_fixture.hpp"
#include "checks.hpp"

using namespace forecourt;
using model::Date;
using testing::must;

namespace {

const Date kDay = Date::from_ymd(2025, 11, 20);

// The agenda as the consultant sees it when opening the app at 9am on `day`.
Agenda agenda_on(testing::BookFixture& fx, Date day) {
    fx.set_local(day, 9);
    return must(fx->agenda(fx.today()));
}

// Days from registration to the first cadence item, and the rule it comes from.
struct Cadence {
    const char* grade;
    int every_days;
};

}  // namespace

TEST_CASE("agenda: each grade's cadence comes due exactly on its day, not the day before") {
    for (const auto& [grade, every] :
         {Cadence{"H", 1}, Cadence{"A", 7}, Cadence{"B", 15}, Cadence{"C", 30}, Cadence{"O", 7}}) {
        CAPTURE(grade);
        testing::BookFixture fx;
        const bool order = std::string(grade) == "O";
        const auto id = fx.add_prospect("王伟", "13800138000", order ? "H" : grade);
        if (order) must(fx->change_grade(id, "O", "order signed"));
        CHECK(agenda_on(fx, kDay).cadence.empty());
        CHECK(agenda_on(fx, kDay.plus_days(every - 1)).cadence.empty());
        auto due = agenda_on(fx, kDay.plus_days(every));
        REQUIRE(due.cadence.size() == 1);
        const auto& item = due.cadence[0];
        CHECK(item.customer_id == id);
        CHECK(item.customer_name == "王伟");
        CHECK(item.phone == "13800138000");
        CHECK(item.grade == grade);
        CHECK(item.rule == "cadence:" + std::string(grade));
        CHECK(item.due == kDay.plus_days(every).to_string());
        CHECK(item.days_overdue == 0);
        auto late = agenda_on(fx, kDay.plus_days(every + 2));
        REQUIRE(late.cadence.size() == 1);
        CHECK(late.cadence[0].days_overdue == 2);
    }
}

TEST_CASE("agenda: the cadence counts in the consultant's local days") {
    // 00:30 in Shanghai is still the previous day in UTC.
    testing::BookFixture fx(testing::BookSetup{kDay, 0});
    fx.clock().advance(30 * 60'000);
    fx.add_prospect("王伟", "13800138000", "H");
    CHECK(agenda_on(fx, kDay).cadence.empty());
    auto next_day = agenda_on(fx, kDay.plus_days(1));
    REQUIRE(next_day.cadence.size() == 1);
    CHECK(next_day.cadence[0].due == "2025-11-21");
}

TEST_CASE("agenda: the last contact restarts the cadence") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    fx.set_local(kDay.plus_days(10), 16);
    must(fx->record_contact(testing::contact_input(id, "visit", "raise_certainty")));
    CHECK(agenda_on(fx, kDay.plus_days(15)).cadence.empty());
    CHECK(agenda_on(fx, kDay.plus_days(24)).cadence.empty());
    auto due = agenda_on(fx, kDay.plus_days(25));
    REQUIRE(due.cadence.size() == 1);
    CHECK(due.cadence[0].what.find("last contact 2025-11-30") != std::string::npos);
}

TEST_CASE("agenda: a planned follow-up replaces the cadence item and shows when due") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "C");
    const auto f = must(
        fx->plan_follow_up(testing::follow_up_input(id, "2025-12-30", "visit", "promote_deal")));
    auto cadence_day = agenda_on(fx, kDay.plus_days(30));
    CHECK(cadence_day.cadence.empty());
    CHECK(cadence_day.follow_ups.empty());
    CHECK(agenda_on(fx, Date::from_ymd(2025, 12, 29)).size() == 0);
    auto due = agenda_on(fx, Date::from_ymd(2025, 12, 30));
    CHECK(due.cadence.empty());
    REQUIRE(due.follow_ups.size() == 1);
    CHECK(due.follow_ups[0].follow_up_id == f);
    CHECK(due.follow_ups[0].rule == "follow_up");
    CHECK(due.follow_ups[0].days_overdue == 0);
    CHECK(due.follow_ups[0].what.find("home / office visit") != std::string::npos);
    // Once done, the cadence takes over again from that contact.
    must(fx->complete_follow_up(f, ContactInput{}));
    CHECK(agenda_on(fx, Date::from_ymd(2026, 1, 28)).size() == 0);
    CHECK(agenda_on(fx, Date::from_ymd(2026, 1, 29)).cadence.size() == 1);
}

TEST_CASE("agenda: overdue follow-ups show how many days late, the latest first") {
    testing::BookFixture fx;
    const auto wang = fx.add_prospect("王伟", "13800138000", "A");
    const auto li = fx.add_prospect("李娜", "13700137000", "B");
    must(fx->plan_follow_up(
        testing::follow_up_input(wang, "2025-11-23", "phone_call", "promote_deal")));
    must(fx->plan_follow_up(
        testing::follow_up_input(li, "2025-11-21", "phone_call", "keep_in_touch")));
    auto agenda = agenda_on(fx, Date::from_ymd(2025, 11, 25));
    REQUIRE(agenda.follow_ups.size() == 2);
    CHECK(agenda.follow_ups[0].customer_name == "李娜");
    CHECK(agenda.follow_ups[0].days_overdue == 4);
    CHECK(agenda.follow_ups[0].grade == "B");
    CHECK(agenda.follow_ups[1].customer_name == "王伟");
    CHECK(agenda.follow_ups[1].days_overdue == 2);
    CHECK(agenda.cadence.empty());
}

TEST_CASE("agenda: the consultant's next visit date overrides the cadence, earlier or later") {
    testing::BookFixture fx;
    auto later = ProspectInput{};
    later.name = "王伟";
    later.grade = "H";
    later.source = "phone_in";
    later.next_visit = "2025-11-25";
    must(fx->register_prospect(later));
    const auto sooner = fx.add_prospect("李娜", "13700137000", "C");
    must(fx->edit_card(sooner, {{"next_visit", "2025-11-22"}}));
    CHECK(agenda_on(fx, kDay.plus_days(1)).cadence.empty());
    auto day2 = agenda_on(fx, kDay.plus_days(2));
    REQUIRE(day2.cadence.size() == 1);
    CHECK(day2.cadence[0].customer_name == "李娜");
    CHECK(day2.cadence[0].due == "2025-11-22");
    CHECK(day2.cadence[0].what == "planned visit");
    CHECK(agenda_on(fx, kDay.plus_days(4)).cadence.size() == 1);
    auto day5 = agenda_on(fx, kDay.plus_days(5));
    REQUIRE(day5.cadence.size() == 2);
    CHECK(day5.cadence[0].customer_name == "李娜");  // three days late
    CHECK(day5.cadence[1].customer_name == "王伟");
}

TEST_CASE("agenda: won and lost customers leave the cadence") {
    testing::BookFixture fx;
    const auto won = fx.add_prospect("王伟", "13800138000", "H");
    const auto lost = fx.add_prospect("李娜", "13700137000", "H");
    VehicleInput car;
    car.model = "Camry";
    must(fx->mark_won(won, car));
    must(fx->mark_lost(lost, "need_gone", std::nullopt));
    CHECK(agenda_on(fx, kDay.plus_days(60)).size() == 0);
}

TEST_CASE("agenda: the cadence and care rules are data a store can change") {
    static const rules::AgendaRules kRules{
        {{"C", 3, "C: every three days"}},
        {{"service_soon", rules::CareAnchor::next_maintenance, 0, 2, 0, "maintenance_reminder",
          "service in two days"}},
    };
    testing::BookFixture fx(testing::BookSetup{kDay, 10, "李娜", &kRules});
    fx.add_prospect("王伟", "13800138000", "C");
    fx.add_prospect("李娜", "13700137000", "H");  // no H rule in this store's table
    const auto base = fx.add_prospect("张磊", "13600136000", "A");
    VehicleInput car;
    car.model = "Camry";
    car.next_maintenance = "2025-12-10";
    must(fx->mark_won(base, car));
    CHECK(agenda_on(fx, kDay.plus_days(2)).size() == 0);
    auto day3 = agenda_on(fx, kDay.plus_days(3));
    REQUIRE(day3.cadence.size() == 1);
    CHECK(day3.cadence[0].customer_name == "王伟");
    CHECK(day3.cadence[0].what.find("C: every three days") != std::string::npos);
    CHECK(agenda_on(fx, Date::from_ymd(2025, 12, 7)).care.empty());
    auto care = agenda_on(fx, Date::from_ymd(2025, 12, 8)).care;
    REQUIRE(care.size() == 1);
    CHECK(care[0].rule == "care:service_soon");
    CHECK(care[0].what.find("service in two days") != std::string::npos);
    CHECK(agenda_on(fx, Date::from_ymd(2025, 12, 11)).care.empty());
}
