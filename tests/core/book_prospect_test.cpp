// The book's prospect operations: registering, editing the card, grade changes,
// won and lost, and the vehicles a customer owns.
#include <doctest/doctest.h>

#include "book_fixture.hpp"
#include "checks.hpp"

using namespace forecourt;
using testing::must;

namespace {

ProspectInput prospect(std::string name, std::vector<std::string> phones, std::string grade = "C") {
    ProspectInput p;
    p.name = std::move(name);
    p.phones = std::move(phones);
    p.grade = std::move(grade);
    p.source = "walk_in";
    return p;
}

VehicleInput camry(std::optional<std::string> vin = "LVGBE40K8GG123456") {
    VehicleInput v;
    v.model = "Camry 2.5 Hybrid";
    v.vin = std::move(vin);
    v.plate = "沪A12345";
    v.delivery_date = "2025-11-22";
    return v;
}

}  // namespace

TEST_CASE(
    "book: creating over an existing book is refused, opening a missing one says what to do") {
    testing::BookFixture fx;
    FC_CHECK_FAILS(Book::create(fx.options(), NewBook{"张磊", "", ""}), ErrorCode::already_exists,
                   "open it instead");
    FC_CHECK_FAILS(Book::open(testing::book_options(fx.dir().file("missing.db"), fx.clock())),
                   ErrorCode::not_found, "create one first");
    CHECK(fx->identity().consultant_name == "李娜");
    CHECK(fx->identity().store_id == "store-1");
}

TEST_CASE("register_prospect: phones are normalised and the prospect starts active at its grade") {
    testing::BookFixture fx;
    auto input = prospect("王伟", {"+86 138-0013-8000", "0086 139 0013 9000", "13800138000"}, "B");
    input.models_of_interest = {"Camry", "RAV4"};
    input.budget = 200000;
    input.birthday = "1988-06-01";
    input.company = "上海某某贸易有限公司";
    auto id = fx->register_prospect(input);
    FC_REQUIRE_OK(id);
    auto c = must(fx->customer(*id));
    CHECK(c.phones == std::vector<std::string>{"13800138000", "13900139000"});
    CHECK(c.kind == "prospect");
    CHECK(c.status == "active");
    CHECK(c.grade == "B");
    CHECK(c.source == "walk_in");
    CHECK(c.models_of_interest == input.models_of_interest);
    CHECK(c.budget == 200000);
    CHECK(c.birthday == "1988-06-01");
    CHECK(c.company == input.company);
    CHECK(c.created_at == fx.clock().now_ms());
    CHECK(c.owner_id == fx->identity().consultant_id);
}

TEST_CASE(
    "register_prospect: a phone already in the book is refused unless the consultant says it is "
    "someone else") {
    testing::BookFixture fx;
    const auto wang = fx.add_prospect("王伟", "13800138000");
    FC_CHECK_FAILS(fx->register_prospect(prospect("王芳", {"138 0013 8000"})),
                   ErrorCode::already_exists, "王伟");
    CHECK(fx.count("customers") == 1);
    auto spouse = prospect("王芳", {"138 0013 8000"});
    spouse.allow_duplicate_phone = true;
    auto fang = fx->register_prospect(spouse);
    FC_REQUIRE_OK(fang);
    auto found = must(fx->find("13800138000"));
    REQUIRE(found.size() == 2);
    CHECK(((found[0].id == wang && found[1].id == *fang) ||
           (found[1].id == wang && found[0].id == *fang)));
}

TEST_CASE("register_prospect: the registration is the first entry of the grade history") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "A");
    auto card = must(fx->card(id));
    REQUIRE(card.grade_changes.size() == 1);
    const auto& g = card.grade_changes[0];
    CHECK_FALSE(g.from_grade.has_value());
    CHECK(g.to_grade == "A");
    CHECK(g.consultant_id == fx->identity().consultant_id);
    CHECK(g.at == fx.clock().now_ms());
    REQUIRE(g.reason.has_value());
    CHECK(g.reason->find("registered") != std::string::npos);
}

TEST_CASE("register_prospect: a new prospect cannot start at grade O") {
    testing::BookFixture fx;
    FC_CHECK_FAILS(fx->register_prospect(prospect("王伟", {}, "O")), ErrorCode::invalid_argument,
                   "cannot start at grade O");
    CHECK(fx.count("customers") == 0);
}

TEST_CASE("edit_card: editable fields change, null clears them, and the phone search follows") {
    testing::BookFixture fx;
    auto input = prospect("王伟", {"13800138000"});
    input.company = "上海某某贸易有限公司";
    input.household_notes = "two children";
    const auto id = must(fx->register_prospect(input));
    auto status = fx->edit_card(id, {{"company", nullptr},
                                     {"trade_in", "2015 Corolla"},
                                     {"budget", 180000},
                                     {"models_of_interest", {"RAV4"}},
                                     {"phones", {"+86 139 0013 9000"}},
                                     {"payment_method", "loan"},
                                     {"next_visit", "2025-11-25"},
                                     {"name", "王伟强"}});
    FC_REQUIRE_OK(status);
    auto c = must(fx->customer(id));
    CHECK_FALSE(c.company.has_value());
    CHECK(c.household_notes == "two children");
    CHECK(c.trade_in == "2015 Corolla");
    CHECK(c.budget == 180000);
    CHECK(c.models_of_interest == std::vector<std::string>{"RAV4"});
    CHECK(c.phones == std::vector<std::string>{"13900139000"});
    CHECK(c.payment_method == "loan");
    CHECK(c.next_visit == "2025-11-25");
    CHECK(c.name == "王伟强");
    CHECK(must(fx->find("13800138000")).empty());
    CHECK(must(fx->find("139-0013-9000")).size() == 1);
}

TEST_CASE("edit_card: grade, status and other managed fields are refused with a hint") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    const std::string before = fx.dump();
    FC_CHECK_FAILS(fx->edit_card(id, {{"grade", "A"}}), ErrorCode::invalid_argument,
                   "change-grade");
    FC_CHECK_FAILS(fx->edit_card(id, {{"status", "won"}}), ErrorCode::invalid_argument,
                   "won / lost");
    FC_CHECK_FAILS(fx->edit_card(id, {{"owner_id", "someone"}}), ErrorCode::invalid_argument,
                   "not an editable card field");
    FC_CHECK_FAILS(fx->edit_card(id, {{"company", "Acme"}, {"created_at", 0}}),
                   ErrorCode::invalid_argument, "created_at");
    FC_CHECK_FAILS(fx->edit_card(id, nlohmann::json::object()), ErrorCode::invalid_argument,
                   "nothing to change");
    CHECK(fx.dump() == before);
}

TEST_CASE("change_grade: the history records who, when, from, to and why") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "C");
    fx.clock().advance(3'600'000);
    FC_REQUIRE_OK(fx->change_grade(id, "A", "came back with his wife, asked for a trade-in quote"));
    auto card = must(fx->card(id));
    CHECK(card.customer.grade == "A");
    REQUIRE(card.grade_changes.size() == 2);
    const auto& g = card.grade_changes[0];  // newest first
    CHECK(g.from_grade == "C");
    CHECK(g.to_grade == "A");
    CHECK(g.reason == "came back with his wife, asked for a trade-in quote");
    CHECK(g.consultant_id == fx->identity().consultant_id);
    CHECK(g.at == fx.clock().now_ms());
    FC_REQUIRE_OK(fx->change_grade(id, "O", "order signed, deposit paid"));
    CHECK(must(fx->customer(id)).grade == "O");
}

TEST_CASE("change_grade: the same grade again is refused and nothing is recorded") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    const std::string before = fx.dump();
    FC_CHECK_FAILS(fx->change_grade(id, "B", "still deciding"), ErrorCode::invalid_state,
                   "already grade B");
    CHECK(fx.dump() == before);
}

TEST_CASE("change_grade: a reason is required, because the manager reviews every change") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    FC_CHECK_FAILS(fx->change_grade(id, "A", ""), ErrorCode::invalid_argument,
                   "reason is required");
    CHECK(must(fx->customer(id)).grade == "B");
    CHECK(fx.count("grade_changes") == 1);
}

TEST_CASE("change_grade: closed customers keep their grade") {
    testing::BookFixture fx;
    const auto lost = fx.add_prospect("王伟", "13800138000", "B");
    const auto won = fx.add_prospect("王芳", "13900139000", "H");
    FC_REQUIRE_OK(fx->mark_lost(lost, "price", std::nullopt));
    FC_REQUIRE_OK(fx->mark_won(won, camry()));
    FC_CHECK_FAILS(fx->change_grade(lost, "A", "called back"), ErrorCode::invalid_state, "lost");
    FC_CHECK_FAILS(fx->change_grade(won, "A", "called back"), ErrorCode::invalid_state,
                   "base customer");
}

TEST_CASE("mark_won: the prospect becomes a base customer with the car they bought") {
    testing::BookFixture fx;
    auto input = prospect("王伟", {"13800138000"}, "H");
    input.next_visit = "2025-11-21";
    const auto id = must(fx->register_prospect(input));
    fx.clock().advance(86'400'000);
    FC_REQUIRE_OK(fx->mark_won(id, camry()));
    auto card = must(fx->card(id));
    CHECK(card.customer.kind == "base");
    CHECK(card.customer.status == "won");
    CHECK(card.customer.closed_at == fx.clock().now_ms());
    CHECK_FALSE(card.customer.next_visit.has_value());
    REQUIRE(card.vehicles.size() == 1);
    CHECK(card.vehicles[0].model == "Camry 2.5 Hybrid");
    CHECK(card.vehicles[0].vin == "LVGBE40K8GG123456");
    CHECK(card.vehicles[0].delivery_date == "2025-11-22");
    ListFilter base;
    base.kind = "base";
    auto customers = must(fx->list(base));
    REQUIRE(customers.size() == 1);
    CHECK(customers[0].id == id);
    FC_CHECK_FAILS(fx->mark_won(id, camry()), ErrorCode::invalid_state, "base customer");
    CHECK(fx.count("vehicles") == 1);
}

TEST_CASE("mark_lost: a reason from the list is required and open follow-ups are cancelled") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    const auto done = must(fx->plan_follow_up(
        testing::follow_up_input(id, "2025-11-21", "phone_call", "promote_deal")));
    const auto open1 = must(
        fx->plan_follow_up(testing::follow_up_input(id, "2025-11-25", "visit", "promote_deal")));
    const auto open2 = must(fx->plan_follow_up(
        testing::follow_up_input(id, "2025-12-01", "phone_call", "keep_in_touch")));
    must(fx->complete_follow_up(
        done, testing::contact_input("", "phone_call", "promote_deal", "too expensive")));

    FC_CHECK_FAILS(fx->mark_lost(id, "", std::nullopt), ErrorCode::invalid_argument,
                   "loss reason is required");
    FC_CHECK_FAILS(fx->mark_lost(id, "too expensive", std::nullopt), ErrorCode::invalid_argument,
                   "price, product, service, competitor");
    CHECK(must(fx->customer(id)).status == "active");

    fx.clock().advance(60'000);
    FC_REQUIRE_OK(fx->mark_lost(id, "competitor", "bought a Honda Accord"));
    auto c = must(fx->customer(id));
    CHECK(c.status == "lost");
    CHECK(c.loss_reason == "competitor");
    CHECK(c.loss_note == "bought a Honda Accord");
    CHECK(c.closed_at == fx.clock().now_ms());
    for (const auto& f : {open1, open2}) {
        auto follow_up = must(fx->follow_up(f));
        CHECK(follow_up.status == "cancelled");
        CHECK(follow_up.cancel_reason == "prospect lost");
        CHECK(follow_up.closed_at == fx.clock().now_ms());
    }
    CHECK(must(fx->follow_up(done)).status == "done");
    CHECK(must(fx->agenda(model::Date::from_ymd(2025, 12, 31))).size() == 0);
    FC_CHECK_FAILS(fx->mark_lost(id, "price", std::nullopt), ErrorCode::invalid_state, "lost");
}

TEST_CASE("add_vehicle: a VIN must have 17 characters, digits and letters but I, O, Q; the car shows on the card") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000");
    FC_CHECK_FAILS(fx->add_vehicle(id, camry("LVGBE40K8GG12345")), ErrorCode::invalid_argument,
                   "17 characters");
    FC_CHECK_FAILS(fx->add_vehicle(id, camry("LVGBE40K8GG1234567")), ErrorCode::invalid_argument,
                   "LVGBE40K8GG1234567");
    FC_CHECK_FAILS(fx->add_vehicle(id, camry("LVGBE40K8GO123456")), ErrorCode::invalid_argument,
                   "except I, O and Q");
    FC_CHECK_FAILS(fx->add_vehicle(id, camry("LVGBE40K8G-123456")), ErrorCode::invalid_argument,
                   "LVGBE40K8G-123456");
    CHECK(fx.count("vehicles") == 0);
    auto typed_small = fx->add_vehicle(id, camry("lvgbe40k8gg123457"));
    FC_REQUIRE_OK(typed_small);
    CHECK(must(fx->card(id)).vehicles.at(0).vin == "LVGBE40K8GG123457");
    auto with_vin = fx->add_vehicle(id, camry());
    FC_REQUIRE_OK(with_vin);
    auto without_vin = fx->add_vehicle(id, camry(std::nullopt));
    FC_REQUIRE_OK(without_vin);
    auto card = must(fx->card(id));
    REQUIRE(card.vehicles.size() == 3);
    for (const auto& v : card.vehicles) {
        CHECK(v.customer_id == id);
        CHECK(v.plate == "沪A12345");
        if (v.id == *typed_small) continue;
        CHECK((v.id == *with_vin ? v.vin == "LVGBE40K8GG123456" : !v.vin.has_value()));
    }
}
