// The agenda's base-customer care on chosen dates: each care rule appears in
// its window and not outside it, and a contact with its purpose settles it.
#include <doctest/doctest.h>

#include "book_fixture.hpp"
#include "checks.hpp"

using namespace forecourt;
using model::Date;
using testing::must;

namespace {

Date ymd(int y, unsigned m, unsigned d) {
    return Date::from_ymd(y, m, d);
}

// The care items of one rule on the agenda as the consultant sees it at 9am on `day`.
std::vector<AgendaItem> care_on(testing::BookFixture& fx, Date day, const std::string& rule) {
    fx.set_local(day, 9);
    std::vector<AgendaItem> out;
    for (auto& item : must(fx->agenda(fx.today())).care)
        if (item.rule == "care:" + rule) out.push_back(item);
    return out;
}

// The rule's item is on the agenda on each day of [first, last] and on neither day around it.
void check_window(testing::BookFixture& fx, const std::string& rule, Date first, Date last,
                  Date due) {
    CAPTURE(rule);
    CHECK(care_on(fx, first.plus_days(-1), rule).empty());
    for (Date day = first; day <= last; day = day.plus_days(1)) {
        CAPTURE(day.to_string());
        auto items = care_on(fx, day, rule);
        REQUIRE(items.size() == 1);
        CHECK(items[0].due == due.to_string());
        CHECK(items[0].days_overdue == due.days_until(day));
    }
    CHECK(care_on(fx, last.plus_days(1), rule).empty());
}

// A won customer who drives away in a car with these dates.
std::string base_customer(testing::BookFixture& fx, VehicleInput car) {
    const auto id = fx.add_prospect("王伟", "13800138000", "H");
    car.model = "Camry 2.5";
    must(fx->mark_won(id, car));
    return id;
}

void contact_on(testing::BookFixture& fx, const std::string& id, Date day, const char* purpose) {
    fx.set_local(day, 11);
    must(fx->record_contact(testing::contact_input(id, "phone_call", purpose)));
}

}  // namespace

TEST_CASE("agenda care: maintenance is due from 14 days before to 14 days after the date") {
    testing::BookFixture fx;
    VehicleInput car;
    car.next_maintenance = "2026-03-15";
    const auto id = base_customer(fx, car);
    check_window(fx, "maintenance_due", ymd(2026, 3, 1), ymd(2026, 3, 29), ymd(2026, 3, 15));
    auto items = care_on(fx, ymd(2026, 3, 10), "maintenance_due");
    REQUIRE(items.size() == 1);
    CHECK(items[0].customer_id == id);
    CHECK(items[0].phone == "13800138000");
    CHECK(items[0].what.find("Camry 2.5") != std::string::npos);
}

TEST_CASE("agenda care: a maintenance reminder settles the item; other contacts do not") {
    testing::BookFixture fx;
    VehicleInput car;
    car.next_maintenance = "2026-03-15";
    const auto id = base_customer(fx, car);
    contact_on(fx, id, ymd(2026, 2, 25), "maintenance_reminder");  // before the window opened
    contact_on(fx, id, ymd(2026, 3, 2), "care");
    CHECK(care_on(fx, ymd(2026, 3, 3), "maintenance_due").size() == 1);
    contact_on(fx, id, ymd(2026, 3, 3), "maintenance_reminder");
    CHECK(care_on(fx, ymd(2026, 3, 3), "maintenance_due").empty());
    CHECK(care_on(fx, ymd(2026, 3, 20), "maintenance_due").empty());
}

TEST_CASE("agenda care: insurance renewal is due in the 30 days before expiry") {
    testing::BookFixture fx;
    VehicleInput car;
    car.insurance_expiry = "2026-06-30";
    const auto id = base_customer(fx, car);
    check_window(fx, "insurance_renewal", ymd(2026, 5, 31), ymd(2026, 6, 30), ymd(2026, 6, 30));
    contact_on(fx, id, ymd(2026, 6, 2), "insurance_renewal");
    CHECK(care_on(fx, ymd(2026, 6, 3), "insurance_renewal").empty());
}

TEST_CASE("agenda care: a birthday greeting is due in the week before the birthday") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    must(fx->edit_card(id, {{"birthday", "1985-03-10"}}));
    check_window(fx, "birthday", ymd(2026, 3, 3), ymd(2026, 3, 10), ymd(2026, 3, 10));
    contact_on(fx, id, ymd(2026, 3, 5), "birthday_greeting");
    CHECK(care_on(fx, ymd(2026, 3, 6), "birthday").empty());
    CHECK(care_on(fx, ymd(2026, 3, 10), "birthday").empty());
    // Last year's greeting does not settle next year's birthday.
    CHECK(care_on(fx, ymd(2027, 3, 4), "birthday").size() == 1);
}

TEST_CASE("agenda care: a 29 February birthday falls on 28 February in a common year") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    must(fx->edit_card(id, {{"birthday", "1992-02-29"}}));
    check_window(fx, "birthday", ymd(2027, 2, 21), ymd(2027, 2, 28), ymd(2027, 2, 28));
    check_window(fx, "birthday", ymd(2028, 2, 22), ymd(2028, 2, 29), ymd(2028, 2, 29));
}

TEST_CASE("agenda care: a birthday early in January is due in the last days of December") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    must(fx->edit_card(id, {{"birthday", "1990-01-03"}}));
    check_window(fx, "birthday", ymd(2025, 12, 27), ymd(2026, 1, 3), ymd(2026, 1, 3));
    contact_on(fx, id, ymd(2025, 12, 30), "birthday_greeting");
    CHECK(care_on(fx, ymd(2026, 1, 2), "birthday").empty());
}

TEST_CASE(
    "agenda care: delivery callbacks come 3 and 30 days after delivery, each settled on its own") {
    testing::BookFixture fx;
    VehicleInput car;
    car.delivery_date = "2026-01-10";
    const auto id = base_customer(fx, car);
    check_window(fx, "delivery_check", ymd(2026, 1, 13), ymd(2026, 1, 20), ymd(2026, 1, 13));
    check_window(fx, "first_month_callback", ymd(2026, 2, 9), ymd(2026, 2, 16), ymd(2026, 2, 9));
    contact_on(fx, id, ymd(2026, 1, 14), "delivery_callback");
    CHECK(care_on(fx, ymd(2026, 1, 15), "delivery_check").empty());
    CHECK(care_on(fx, ymd(2026, 2, 9), "first_month_callback").size() == 1);
    contact_on(fx, id, ymd(2026, 2, 10), "delivery_callback");
    CHECK(care_on(fx, ymd(2026, 2, 11), "first_month_callback").empty());
}

TEST_CASE("agenda care: lost customers get no care") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    must(fx->edit_card(id, {{"birthday", "1985-12-01"}}));
    CHECK(care_on(fx, ymd(2025, 11, 28), "birthday").size() == 1);
    must(fx->mark_lost(id, "competitor", std::nullopt));
    CHECK(care_on(fx, ymd(2025, 11, 28), "birthday").empty());
}
