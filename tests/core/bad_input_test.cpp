// Bad input: each mistake gets the right error code and a message saying what
// to fix, and the book — tables and outbox — is exactly as it was before.
#include <doctest/doctest.h>

#include "book_fixture.hpp"
#include "checks.hpp"
#include "forecourt/core/storage/record_store.hpp"

using namespace forecourt;
using testing::must;

namespace {

const std::string kUnknown = "0190a1b2-0000-7000-8000-00000000dead";
const std::string kTooLong(4001, 'x');

// A book with a prospect (grade B, with an open follow-up) and a base customer.
struct BadInputBook {
    testing::BookFixture fx;
    std::string prospect = fx.add_prospect("王伟", "13800138000", "B");
    std::string base = fx.add_prospect("王芳", "13900139000", "H");
    std::string follow_up;
    std::string before;
    std::int64_t outbox_before = 0;

    BadInputBook() {
        follow_up = must(fx->plan_follow_up(
            testing::follow_up_input(prospect, "2025-11-24", "phone_call", "promote_deal")));
        VehicleInput car;
        car.model = "Camry";
        must(fx->mark_won(base, car));
        before = fx.dump();
        outbox_before = must(fx->changes().pending_count());
    }
    // Nothing was written since the book was set up.
    void check_unchanged() {
        CHECK(must(fx->changes().pending_count()) == outbox_before);
        CHECK(fx.dump() == before);
    }
};

ContactInput call(const std::string& customer_id) {
    return testing::contact_input(customer_id, "phone_call", "promote_deal");
}

}  // namespace

TEST_CASE("bad input: unknown customer ids are not_found, naming the id") {
    BadInputBook b;
    auto& fx = b.fx;
    VehicleInput car;
    car.model = "Camry";
    TestDriveInput drive;
    drive.customer_id = kUnknown;
    drive.model = "RAV4";
    FC_CHECK_FAILS(fx->customer(kUnknown), ErrorCode::not_found, kUnknown);
    FC_CHECK_FAILS(fx->card(kUnknown), ErrorCode::not_found, kUnknown);
    FC_CHECK_FAILS(fx->edit_card(kUnknown, {{"company", "Acme"}}), ErrorCode::not_found, kUnknown);
    FC_CHECK_FAILS(fx->change_grade(kUnknown, "A", "keen"), ErrorCode::not_found, kUnknown);
    FC_CHECK_FAILS(fx->mark_won(kUnknown, car), ErrorCode::not_found, kUnknown);
    FC_CHECK_FAILS(fx->mark_lost(kUnknown, "price", std::nullopt), ErrorCode::not_found, kUnknown);
    FC_CHECK_FAILS(fx->add_vehicle(kUnknown, car), ErrorCode::not_found, kUnknown);
    FC_CHECK_FAILS(fx->record_contact(call(kUnknown)), ErrorCode::not_found, kUnknown);
    FC_CHECK_FAILS(fx->plan_follow_up(testing::follow_up_input(kUnknown, "2025-11-24")),
                   ErrorCode::not_found, kUnknown);
    FC_CHECK_FAILS(fx->record_test_drive(drive), ErrorCode::not_found, kUnknown);
    b.check_unchanged();
}

TEST_CASE("bad input: unknown follow-up ids are not_found, naming the id") {
    BadInputBook b;
    auto& fx = b.fx;
    FC_CHECK_FAILS(fx->follow_up(kUnknown), ErrorCode::not_found, kUnknown);
    FC_CHECK_FAILS(fx->complete_follow_up(kUnknown, ContactInput{}), ErrorCode::not_found,
                   kUnknown);
    FC_CHECK_FAILS(fx->reschedule_follow_up(kUnknown, "2025-12-01"), ErrorCode::not_found,
                   kUnknown);
    FC_CHECK_FAILS(fx->cancel_follow_up(kUnknown, "not needed"), ErrorCode::not_found, kUnknown);
    b.check_unchanged();
}

TEST_CASE("bad input: an invalid grade lists the grades there are") {
    BadInputBook b;
    auto& fx = b.fx;
    ProspectInput p;
    p.name = "李娜";
    p.source = "walk_in";
    p.grade = "D";
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument,
                   "one of O, H, A, B, C (got 'D')");
    FC_CHECK_FAILS(fx->change_grade(b.prospect, "a", "keen"), ErrorCode::invalid_argument,
                   "(got 'a')");
    auto with_grade = call(b.prospect);
    with_grade.grade_after = "Z";
    FC_CHECK_FAILS(fx->record_contact(with_grade), ErrorCode::invalid_argument, "(got 'Z')");
    ListFilter filter;
    filter.grade = "";
    FC_CHECK_FAILS(fx->list(filter), ErrorCode::invalid_argument, "O, H, A, B, C");
    b.check_unchanged();
}

TEST_CASE("bad input: a loss needs a reason from the store's list") {
    BadInputBook b;
    auto& fx = b.fx;
    FC_CHECK_FAILS(fx->mark_lost(b.prospect, "", std::nullopt), ErrorCode::invalid_argument,
                   "loss reason is required");
    FC_CHECK_FAILS(fx->mark_lost(b.prospect, "expensive", "said it was too expensive"),
                   ErrorCode::invalid_argument, "(got 'expensive')");
    FC_CHECK_FAILS(fx->mark_lost(b.base, "price", std::nullopt), ErrorCode::invalid_state,
                   "base customer");
    b.check_unchanged();
}

TEST_CASE("bad input: a malformed phone is refused, naming the phone") {
    BadInputBook b;
    auto& fx = b.fx;
    ProspectInput p;
    p.name = "李娜";
    p.source = "walk_in";
    p.phones = {"13700137000", "138-0013-800"};
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument, "'138-0013-800'");
    p.phones = {"微信 li_na_88"};
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument, "'微信 li_na_88'");
    FC_CHECK_FAILS(fx->edit_card(b.prospect, {{"phones", {"13800138000", "12345"}}}),
                   ErrorCode::invalid_argument, "'12345'");
    FC_CHECK_FAILS(fx->edit_card(b.prospect, {{"phones", "13800138000"}}),
                   ErrorCode::invalid_argument, "phones must be an array");
    b.check_unchanged();
}

TEST_CASE("bad input: impossible or misformatted dates are refused, naming the field") {
    BadInputBook b;
    auto& fx = b.fx;
    ProspectInput p;
    p.name = "李娜";
    p.source = "walk_in";
    p.birthday = "1990-02-30";
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument,
                   "birthday must be a date");
    p.birthday.reset();
    p.next_visit = "next week";
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument, "(got 'next week')");
    FC_CHECK_FAILS(fx->edit_card(b.prospect, {{"birthday", "2025-13-01"}}),
                   ErrorCode::invalid_argument, "birthday must be a date YYYY-MM-DD");
    FC_CHECK_FAILS(fx->edit_card(b.prospect, {{"next_visit", "2025-02-29"}}),
                   ErrorCode::invalid_argument, "next_visit must be a date YYYY-MM-DD");
    FC_CHECK_FAILS(fx->plan_follow_up(testing::follow_up_input(b.prospect, "2025/12/01")),
                   ErrorCode::invalid_argument,
                   "due date must be a date YYYY-MM-DD (got '2025/12/01')");
    FC_CHECK_FAILS(fx->reschedule_follow_up(b.follow_up, "31-12-2025"), ErrorCode::invalid_argument,
                   "(got '31-12-2025')");
    auto next = call(b.prospect);
    next.next_contact = "2025-11-31";
    FC_CHECK_FAILS(fx->record_contact(next), ErrorCode::invalid_argument,
                   "next contact must be a date");
    VehicleInput car;
    car.model = "Camry";
    car.insurance_expiry = "2026-02-30";
    FC_CHECK_FAILS(fx->add_vehicle(b.base, car), ErrorCode::invalid_argument, "insurance expiry");
    EventInput ev;
    ev.name = "Test-drive day";
    FC_CHECK_FAILS(fx->create_event(ev), ErrorCode::invalid_argument, "event date must be a date");
    b.check_unchanged();
}

TEST_CASE("bad input: text over 4000 bytes is refused, naming the field") {
    BadInputBook b;
    auto& fx = b.fx;
    ProspectInput p;
    p.name = kTooLong;
    p.source = "walk_in";
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument,
                   "name is longer than 4000");
    p.name = "李娜";
    p.household_notes = kTooLong;
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument, "household notes");
    FC_CHECK_FAILS(fx->edit_card(b.prospect, {{"trade_in", kTooLong}}), ErrorCode::invalid_argument,
                   "trade_in is longer than 4000");
    FC_CHECK_FAILS(fx->change_grade(b.prospect, "A", kTooLong), ErrorCode::invalid_argument,
                   "reason");
    FC_CHECK_FAILS(fx->mark_lost(b.prospect, "price", kTooLong), ErrorCode::invalid_argument,
                   "note");
    auto long_notes = call(b.prospect);
    long_notes.notes = kTooLong;
    FC_CHECK_FAILS(fx->record_contact(long_notes), ErrorCode::invalid_argument, "notes is longer");
    FC_CHECK_FAILS(fx->cancel_follow_up(b.follow_up, kTooLong), ErrorCode::invalid_argument,
                   "reason");
    auto f = testing::follow_up_input(b.prospect, "2025-12-01");
    f.notes = kTooLong;
    FC_CHECK_FAILS(fx->plan_follow_up(f), ErrorCode::invalid_argument, "notes");
    TestDriveInput drive;
    drive.customer_id = b.prospect;
    drive.model = "RAV4";
    drive.feedback = kTooLong;
    FC_CHECK_FAILS(fx->record_test_drive(drive), ErrorCode::invalid_argument, "feedback");
    VehicleInput car;
    car.model = "Camry";
    car.plate = kTooLong;
    FC_CHECK_FAILS(fx->add_vehicle(b.base, car), ErrorCode::invalid_argument, "plate");
    EventInput ev;
    ev.name = "Test-drive day";
    ev.date = "2025-12-06";
    ev.location = kTooLong;
    FC_CHECK_FAILS(fx->create_event(ev), ErrorCode::invalid_argument, "location");
    b.check_unchanged();
}

TEST_CASE("bad input: missing or unknown codes name what is expected") {
    BadInputBook b;
    auto& fx = b.fx;
    ProspectInput p;
    p.name = "李娜";
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument, "source is required");
    p.source = "tv_advert";
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument, "walk_in, phone_in");
    p.source = "walk_in";
    p.name = "";
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument, "name is required");
    p.name = "李娜";
    p.budget = -1;
    FC_CHECK_FAILS(fx->register_prospect(p), ErrorCode::invalid_argument,
                   "budget cannot be negative");
    FC_CHECK_FAILS(
        fx->record_contact(testing::contact_input(b.prospect, "carrier_pigeon", "promote_deal")),
        ErrorCode::invalid_argument, "contact kind must be one of");
    FC_CHECK_FAILS(fx->record_contact(testing::contact_input(b.prospect, "visit", "gossip")),
                   ErrorCode::invalid_argument, "purpose must be one of");
    FC_CHECK_FAILS(fx->edit_card(b.prospect, {{"payment_method", "bitcoin"}}),
                   ErrorCode::invalid_argument, "cash, loan, lease");
    FC_CHECK_FAILS(fx->edit_card(b.prospect, {{"name", ""}}), ErrorCode::invalid_argument,
                   "name cannot be empty");
    FC_CHECK_FAILS(fx->edit_card(b.prospect, {{"budget", "lots"}}), ErrorCode::invalid_argument,
                   "budget must be an integer");
    TestDriveInput drive;
    drive.customer_id = b.prospect;
    FC_CHECK_FAILS(fx->record_test_drive(drive), ErrorCode::invalid_argument, "model is required");
    b.check_unchanged();
}

TEST_CASE("bad input: the record store refuses impossible dates, whoever writes them") {
    const auto* customers = model::find_table("customers");
    REQUIRE(customers != nullptr);
    const auto* birthday = customers->field("birthday");
    REQUIRE(birthday != nullptr);
    CHECK(storage::validate_field_value(*birthday, "2024-02-29").ok());
    for (const char* bad : {"2025-02-30", "2025-04-31", "2025-13-01", "2025-00-10", "25-01-01"}) {
        auto status = storage::validate_field_value(*birthday, bad);
        CHECK_MESSAGE(!status.ok(), bad);
        if (!status.ok()) CHECK(status.error().code == ErrorCode::invalid_argument);
    }
}
