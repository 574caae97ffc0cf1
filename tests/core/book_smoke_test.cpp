// A consultant's first day with a new book, end to end through the C++ API.
#include <doctest/doctest.h>

#include "book_fixture.hpp"

using namespace forecourt;

TEST_CASE("book: register a prospect, record a contact, see it on the card and in the outbox") {
    testing::BookFixture fx;
    auto& b = fx.book();
    ProspectInput p;
    p.name = "王伟";
    p.phones = {"+86 138-0013-8000"};
    p.grade = "B";
    p.source = "walk_in";
    auto id = b.register_prospect(p);
    REQUIRE_MESSAGE(id.ok(), (id.ok() ? "" : id.error().describe()));
    fx.clock().advance(60'000);
    auto contact = b.record_contact({*id, "phone_call", "promote_deal", "wants a test drive",
                                     std::nullopt, "A", "2025-11-27", std::nullopt});
    REQUIRE_MESSAGE(contact.ok(), (contact.ok() ? "" : contact.error().describe()));
    auto card = b.card(*id);
    REQUIRE(card.ok());
    CHECK(card->customer.grade == "A");
    CHECK(card->contacts.size() == 1);
    CHECK(card->grade_changes.size() == 2);
    CHECK(card->follow_ups.size() == 1);
    auto found = b.find("13800138000");
    REQUIRE(found.ok());
    REQUIRE(found->size() == 1);
    CHECK(found->front().name == "王伟");
    auto pending = b.changes().pending(0, 100);
    REQUIRE(pending.ok());
    CHECK(pending->size() == 6);  // customer, 2 grade changes, grade, contact, follow-up
    auto agenda = b.agenda(model::Date::from_ymd(2025, 11, 27));
    REQUIRE(agenda.ok());
    CHECK(agenda->follow_ups.size() == 1);
}
