// The book's history operations: contacts, follow-ups, test drives and events.
#include <doctest/doctest.h>

#include "book_fixture.hpp"
#include "checks.hpp"

using namespace forecourt;
using testing::must;

namespace {

ContactInput phone_call(const std::string& customer_id, std::string purpose = "promote_deal") {
    ContactInput c;
    c.customer_id = customer_id;
    c.kind = "phone_call";
    c.purpose = std::move(purpose);
    return c;
}

FollowUpInput follow_up_on(const std::string& customer_id, std::string due) {
    FollowUpInput f;
    f.customer_id = customer_id;
    f.due = std::move(due);
    f.kind = "visit";
    f.purpose = "promote_deal";
    f.notes = "bring the finance offer";
    return f;
}

TestDriveInput drive(const std::string& customer_id, platform::EpochMs start) {
    TestDriveInput t;
    t.customer_id = customer_id;
    t.model = "RAV4 2.0";
    t.licence_checked = true;
    t.started_at = start;
    t.ended_at = start + 20 * 60'000;
    t.route = "mall loop";
    t.feedback = "quiet cabin, wants more boot space";
    t.interest = 4;
    return t;
}

}  // namespace

TEST_CASE("record_contact: the contact is on the card with who, when, kind, purpose and outcome") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    fx.clock().advance(2 * 3'600'000);
    auto call = phone_call(id, "collect_info");
    call.outcome = "budget 200k, wants a hybrid";
    call.notes = "call after 6pm";
    auto contact_id = fx->record_contact(call);
    FC_REQUIRE_OK(contact_id);
    auto card = must(fx->card(id));
    REQUIRE(card.contacts.size() == 1);
    const auto& c = card.contacts[0];
    CHECK(c.id == *contact_id);
    CHECK(c.consultant_id == fx->identity().consultant_id);
    CHECK(c.at == fx.clock().now_ms());
    CHECK(c.kind == "phone_call");
    CHECK(c.purpose == "collect_info");
    CHECK(c.outcome == "budget 200k, wants a hybrid");
    CHECK(c.notes == "call after 6pm");
    CHECK(card.grade_changes.size() == 1);  // only the registration
    CHECK(card.follow_ups.empty());
    CHECK(must(fx->find("王伟"))[0].last_contact_at == fx.clock().now_ms());
}

TEST_CASE("record_contact: a grade after the contact changes the grade and records why") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    fx.clock().advance(60'000);
    auto call = phone_call(id);
    call.grade_after = "A";
    FC_REQUIRE_OK(fx->record_contact(call));
    auto card = must(fx->card(id));
    CHECK(card.customer.grade == "A");
    REQUIRE(card.grade_changes.size() == 2);
    CHECK(card.grade_changes[0].from_grade == "B");
    CHECK(card.grade_changes[0].to_grade == "A");
    CHECK(card.grade_changes[0].reason == "after phone_call");
    CHECK(card.contacts[0].grade_after == "A");
    // Confirming the grade the prospect already has is not a change.
    FC_REQUIRE_OK(fx->record_contact(call));
    CHECK(must(fx->card(id)).grade_changes.size() == 2);
}

TEST_CASE("record_contact: a next contact date plans a follow-up on that date") {
    testing::BookFixture fx;
    const auto prospect_id = fx.add_prospect("王伟", "13800138000", "B");
    auto call = phone_call(prospect_id);
    call.next_contact = "2025-11-27";
    FC_REQUIRE_OK(fx->record_contact(call));
    auto card = must(fx->card(prospect_id));
    REQUIRE(card.follow_ups.size() == 1);
    CHECK(card.follow_ups[0].due == "2025-11-27");
    CHECK(card.follow_ups[0].status == "open");
    CHECK(card.follow_ups[0].purpose == "promote_deal");
    CHECK(card.contacts[0].next_contact == "2025-11-27");

    const auto base_id = fx.add_prospect("王芳", "13900139000", "H");
    VehicleInput car;
    car.model = "Camry";
    FC_REQUIRE_OK(fx->mark_won(base_id, car));
    auto care = phone_call(base_id, "care");
    care.next_contact = "2026-01-10";
    FC_REQUIRE_OK(fx->record_contact(care));
    auto base_card = must(fx->card(base_id));
    REQUIRE(base_card.follow_ups.size() == 1);
    CHECK(base_card.follow_ups[0].purpose == "keep_in_touch");
}

TEST_CASE("record_contact: the contact uses up the consultant's planned visit date") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "C");
    FC_REQUIRE_OK(fx->edit_card(id, {{"next_visit", "2025-11-22"}}));
    FC_REQUIRE_OK(fx->record_contact(phone_call(id)));
    CHECK_FALSE(must(fx->customer(id)).next_visit.has_value());
}

TEST_CASE("record_contact: a grade after a contact with a base customer is refused") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "H");
    VehicleInput car;
    car.model = "Camry";
    FC_REQUIRE_OK(fx->mark_won(id, car));
    auto call = phone_call(id, "care");
    call.grade_after = "A";
    FC_CHECK_FAILS(fx->record_contact(call), ErrorCode::invalid_state, "active prospects only");
    CHECK(fx.count("contacts") == 0);
}

TEST_CASE("plan_follow_up: an open follow-up with its due date, kind, purpose and notes") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "A");
    auto follow_up_id = fx->plan_follow_up(follow_up_on(id, "2025-11-24"));
    FC_REQUIRE_OK(follow_up_id);
    auto f = must(fx->follow_up(*follow_up_id));
    CHECK(f.customer_id == id);
    CHECK(f.consultant_id == fx->identity().consultant_id);
    CHECK(f.due == "2025-11-24");
    CHECK(f.kind == "visit");
    CHECK(f.purpose == "promote_deal");
    CHECK(f.notes == "bring the finance offer");
    CHECK(f.status == "open");
    CHECK_FALSE(f.closed_at.has_value());
}

TEST_CASE("complete_follow_up: records the contact and closes the follow-up as done") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "A");
    const auto f = must(fx->plan_follow_up(follow_up_on(id, "2025-11-24")));
    fx.set_local(model::Date::from_ymd(2025, 11, 24), 15);
    ContactInput contact;
    contact.outcome = "signed the order";
    contact.grade_after = "O";
    auto contact_id = fx->complete_follow_up(f, contact);
    FC_REQUIRE_OK(contact_id);
    auto done = must(fx->follow_up(f));
    CHECK(done.status == "done");
    CHECK(done.contact_id == *contact_id);
    CHECK(done.closed_at == fx.clock().now_ms());
    auto card = must(fx->card(id));
    REQUIRE(card.contacts.size() == 1);
    CHECK(card.contacts[0].id == *contact_id);
    CHECK(card.contacts[0].kind == "visit");  // from the follow-up
    CHECK(card.contacts[0].purpose == "promote_deal");
    CHECK(card.contacts[0].outcome == "signed the order");
    CHECK(card.customer.grade == "O");
}

TEST_CASE(
    "reschedule_follow_up and cancel_follow_up: move an open follow-up, or close it with a "
    "reason") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "A");
    const auto f = must(fx->plan_follow_up(follow_up_on(id, "2025-11-24")));
    FC_REQUIRE_OK(fx->reschedule_follow_up(f, "2025-11-26"));
    CHECK(must(fx->follow_up(f)).due == "2025-11-26");
    CHECK(must(fx->follow_up(f)).status == "open");
    FC_CHECK_FAILS(fx->cancel_follow_up(f, ""), ErrorCode::invalid_argument, "reason is required");
    CHECK(must(fx->follow_up(f)).status == "open");
    FC_REQUIRE_OK(fx->cancel_follow_up(f, "customer is abroad until January"));
    auto cancelled = must(fx->follow_up(f));
    CHECK(cancelled.status == "cancelled");
    CHECK(cancelled.cancel_reason == "customer is abroad until January");
    CHECK(cancelled.closed_at == fx.clock().now_ms());
}

TEST_CASE("follow-ups: a closed follow-up cannot be completed, rescheduled or cancelled") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "A");
    const auto done = must(fx->plan_follow_up(follow_up_on(id, "2025-11-24")));
    const auto cancelled = must(fx->plan_follow_up(follow_up_on(id, "2025-11-25")));
    must(fx->complete_follow_up(done, ContactInput{}));
    must(fx->cancel_follow_up(cancelled, "duplicate"));
    const std::string before = fx.dump();
    FC_CHECK_FAILS(fx->complete_follow_up(done, ContactInput{}), ErrorCode::invalid_state,
                   "already done");
    FC_CHECK_FAILS(fx->reschedule_follow_up(done, "2025-12-01"), ErrorCode::invalid_state,
                   "already done");
    FC_CHECK_FAILS(fx->cancel_follow_up(done, "oops"), ErrorCode::invalid_state, "already done");
    FC_CHECK_FAILS(fx->complete_follow_up(cancelled, ContactInput{}), ErrorCode::invalid_state,
                   "already cancelled");
    FC_CHECK_FAILS(fx->reschedule_follow_up(cancelled, "2025-12-01"), ErrorCode::invalid_state,
                   "already cancelled");
    FC_CHECK_FAILS(fx->cancel_follow_up(cancelled, "again"), ErrorCode::invalid_state,
                   "already cancelled");
    CHECK(fx.dump() == before);
}

TEST_CASE("plan_follow_up: a lost customer gets no new follow-ups") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    FC_REQUIRE_OK(fx->mark_lost(id, "price", std::nullopt));
    FC_CHECK_FAILS(fx->plan_follow_up(follow_up_on(id, "2025-11-24")), ErrorCode::invalid_state,
                   "lost");
    CHECK(fx.count("follow_ups") == 0);
}

TEST_CASE("record_test_drive: recorded with its details and counted as a contact") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    const auto start = fx.clock().now_ms() - 30 * 60'000;
    auto drive_id = fx->record_test_drive(drive(id, start));
    FC_REQUIRE_OK(drive_id);
    auto card = must(fx->card(id));
    REQUIRE(card.test_drives.size() == 1);
    const auto& t = card.test_drives[0];
    CHECK(t.id == *drive_id);
    CHECK(t.model == "RAV4 2.0");
    CHECK(t.licence_checked);
    CHECK(t.started_at == start);
    CHECK(t.ended_at == start + 20 * 60'000);
    CHECK(t.route == "mall loop");
    CHECK(t.feedback == "quiet cabin, wants more boot space");
    CHECK(t.interest == 4);
    CHECK_FALSE(t.event_id.has_value());
    REQUIRE(card.contacts.size() == 1);
    CHECK(card.contacts[0].kind == "test_drive");
    CHECK(card.contacts[0].at == start);
}

TEST_CASE("record_test_drive: interest is 1 (none) to 5 (very keen)") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    auto t = drive(id, fx.clock().now_ms());
    for (std::int64_t bad : {0, 6, -1}) {
        t.interest = bad;
        FC_CHECK_FAILS(fx->record_test_drive(t), ErrorCode::invalid_argument, "1 (none) to 5");
    }
    CHECK(fx.count("test_drives") == 0);
    for (std::int64_t good : {1, 5}) {
        t.interest = good;
        FC_CHECK_OK(fx->record_test_drive(t));
    }
    CHECK(fx.count("test_drives") == 2);
}

TEST_CASE("record_test_drive: a drive that ends before it starts is refused") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    auto t = drive(id, fx.clock().now_ms());
    t.ended_at = *t.started_at - 1;
    FC_CHECK_FAILS(fx->record_test_drive(t), ErrorCode::invalid_argument, "end before it starts");
    CHECK(fx.count("test_drives") == 0);
    CHECK(fx.count("contacts") == 0);
}

TEST_CASE("record_test_drive: an unknown event is refused, a known one is linked") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    auto t = drive(id, fx.clock().now_ms());
    t.event_id = "0190a1b2-0000-7000-8000-0000000000ee";
    FC_CHECK_FAILS(fx->record_test_drive(t), ErrorCode::not_found, *t.event_id);
    CHECK(fx.count("test_drives") == 0);
    EventInput ev;
    ev.name = "万达广场试驾日";
    ev.date = "2025-11-20";
    ev.location = "万达广场 car park";
    ev.models = {"RAV4", "Camry"};
    t.event_id = must(fx->create_event(ev));
    FC_REQUIRE_OK(fx->record_test_drive(t));
    CHECK(must(fx->card(id)).test_drives[0].event_id == t.event_id);
}

TEST_CASE("events: created events are listed newest first with their details") {
    testing::BookFixture fx;
    EventInput older;
    older.name = "Autumn showroom day";
    older.kind = "showroom";
    older.date = "2025-10-01";
    EventInput newer;
    newer.name = "万达广场试驾日";
    newer.date = "2025-11-22";
    newer.location = "万达广场";
    newer.notes = "three cars, two consultants";
    newer.models = {"RAV4", "Camry"};
    const auto older_id = must(fx->create_event(older));
    const auto newer_id = must(fx->create_event(newer));
    auto events = must(fx->events());
    REQUIRE(events.size() == 2);
    CHECK(events[0].id == newer_id);
    CHECK(events[0].name == "万达广场试驾日");
    CHECK(events[0].kind == "test_drive");
    CHECK(events[0].date == "2025-11-22");
    CHECK(events[0].location == "万达广场");
    CHECK(events[0].notes == "three cars, two consultants");
    CHECK(events[0].models == newer.models);
    CHECK(events[1].id == older_id);
    CHECK(events[1].kind == "showroom");
    EventInput bad = newer;
    bad.kind = "party";
    FC_CHECK_FAILS(fx->create_event(bad), ErrorCode::invalid_argument,
                   "test_drive, marketing, showroom");
}
