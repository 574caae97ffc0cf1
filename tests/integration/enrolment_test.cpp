// Enrolment against a live store server: good, expired, used codes and a wrong pin.
#include <doctest/doctest.h>

#include "forecourt/sync/client/sync_client.hpp"
#include "live_store.hpp"

namespace forecourt::testing {

TEST_CASE("enrolment: a good code enrols the tablet, which then syncs") {
    TempDir dir;
    LiveStore store(dir);
    LiveTablet tablet(dir, "li");
    const auto consultant = store.add_consultant("李娜");
    REQUIRE(tablet.enrol(store, store.issue_code(consultant)).ok());
    CHECK(tablet.book().identity().consultant_id == consultant);
    CHECK(tablet.book().identity().store_id == store.store->identity().store_id);
    tablet.register_prospect("王伟", "13800138000");
    auto synced = tablet.sync();
    REQUIRE(synced.ok());
    CHECK(synced->pushed > 0);
    CHECK(store.records()["customers"].size() == 1);
}

TEST_CASE("enrolment: an expired code is refused and the book stays unenrolled") {
    TempDir dir;
    LiveStore store(dir);
    LiveTablet tablet(dir, "li");
    const auto code = store.issue_code(store.add_consultant("李娜"));
    store.clock.advance(16 * 60 * 1000);
    auto enrolled = tablet.enrol(store, code);
    REQUIRE_FALSE(enrolled.ok());
    CHECK(enrolled.error().code == ErrorCode::unauthorized);
    CHECK(enrolled.error().message.find("expired") != std::string::npos);
    sync::SyncClient client(tablet.book());
    CHECK_FALSE(need(client.state()).enrolled());
}

TEST_CASE("enrolment: a code works once") {
    TempDir dir;
    LiveStore store(dir);
    LiveTablet first(dir, "first");
    LiveTablet second(dir, "second");
    const auto code = store.issue_code(store.add_consultant("李娜"));
    REQUIRE(first.enrol(store, code).ok());
    auto again = second.enrol(store, code);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::unauthorized);
}

TEST_CASE("enrolment: a server presenting another certificate is refused, showing both fingerprints") {
    TempDir dir;
    LiveStore store(dir);
    LiveTablet tablet(dir, "li");
    const auto code = store.issue_code(store.add_consultant("李娜"));
    std::string wrong = "SHA256:00";
    for (int i = 1; i < 32; ++i) wrong += ":00";
    auto enrolled = tablet.enrol(store, code, wrong);
    REQUIRE_FALSE(enrolled.ok());
    CHECK(enrolled.error().code == ErrorCode::tampered);
    CHECK(enrolled.error().message.find(test_fingerprint()) != std::string::npos);
    // The code was never presented, so it still enrols the tablet with the right pin.
    CHECK(tablet.enrol(store, code).ok());
}

}  // namespace forecourt::testing
