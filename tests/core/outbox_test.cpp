// The outbox as the sync client drains it: seqs that are never reused, reads
// of what waits (a bounded page, the fields waiting per record), and how few
// pages a recorded contact writes to it and beside it.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "book_fixture.hpp"
#include "checks.hpp"
#include "forecourt/core/storage/transaction.hpp"

using namespace forecourt;
using testing::field_names;
using testing::must;

TEST_CASE(
    "change capture: seq only grows and is never reused, even after the server acknowledged") {
    testing::BookFixture fx;
    fx.add_prospect("王伟", "13800138000");
    fx.add_prospect("王芳", "13900139000");
    auto rows = fx.outbox();
    REQUIRE(rows.size() == 4);
    {
        auto tx = must(storage::Transaction::begin(fx->db()));
        FC_REQUIRE_OK(fx->changes().acknowledge(tx, rows[1].seq));
        FC_REQUIRE_OK(tx.commit());
    }
    auto pending = must(fx->changes().pending(0, 100));
    REQUIRE(pending.size() == 2);
    CHECK(pending[0].seq == rows[2].seq);
    {
        auto tx = must(storage::Transaction::begin(fx->db()));
        FC_REQUIRE_OK(fx->changes().acknowledge(tx, rows[3].seq));
        FC_REQUIRE_OK(tx.commit());
    }
    CHECK(must(fx->changes().pending_count()) == 0);
    fx.add_prospect("李娜", "13700137000");
    auto after = fx.outbox();
    REQUIRE(after.size() == 2);
    CHECK(after[0].seq > rows[3].seq);
    fx.reopen();
    {
        auto tx = must(storage::Transaction::begin(fx->db()));
        FC_REQUIRE_OK(fx->changes().acknowledge(tx, after[1].seq));
        FC_REQUIRE_OK(tx.commit());
    }
    fx.add_prospect("张磊", "13600136000");
    CHECK(fx.outbox().front().seq > after[1].seq);
}

TEST_CASE("change capture: a change set aside or requeued never gives its seq to another") {
    testing::BookFixture fx;
    fx.add_prospect("王伟", "13800138000");
    const auto rows = fx.outbox();
    REQUIRE(rows.size() == 2);
    const std::int64_t newest = rows.back().seq;
    {
        // The store refuses the newest change: it leaves the outbox, and the
        // next write must not take its number (the store has seen it).
        auto tx = must(storage::Transaction::begin(fx->db()));
        FC_REQUIRE_OK(fx->changes().set_aside(tx, newest, "unknown field", 1'763'000'000'000));
        FC_REQUIRE_OK(tx.commit());
    }
    fx.add_prospect("王芳", "13900139000");
    auto after = fx.outbox();
    REQUIRE(after.size() == 3);
    CHECK(after[1].seq == newest + 1);
    {
        // Everything acknowledged, then the refused change requeued: it comes
        // back under a new number, after every number used so far.
        auto tx = must(storage::Transaction::begin(fx->db()));
        FC_REQUIRE_OK(fx->changes().acknowledge(tx, after.back().seq));
        CHECK(must(fx->changes().requeue_refused(tx)) == 1);
        FC_REQUIRE_OK(tx.commit());
    }
    fx.reopen();
    auto requeued = fx.outbox();
    REQUIRE(requeued.size() == 1);
    CHECK(requeued[0].seq == after.back().seq + 1);
    CHECK(requeued[0].record_id == rows.back().record_id);
    CHECK(requeued[0].fields == rows.back().fields);
    fx.add_prospect("张磊", "13600136000");
    CHECK(fx.outbox()[1].seq == requeued[0].seq + 1);
}

TEST_CASE("change capture: pending_fields names each record's waiting fields until they are acknowledged or set aside") {
    testing::BookFixture fx;
    const auto wang = fx.add_prospect("王伟", "13800138000");
    const auto li = fx.add_prospect("李娜", "13900139000");
    const auto registered = fx.outbox();
    fx.clock().advance(60'000);
    must(fx->edit_card(wang, {{"company", "Acme"}}));
    const auto edit = fx.outbox().back();
    REQUIRE(edit.record_id == wang);
    REQUIRE(field_names(edit) == std::set<std::string>{"company"});

    std::map<storage::RecordRef, std::set<std::string>> expected;
    for (const auto& row : fx.outbox())
        for (const auto& field : field_names(row)) expected[{row.table, row.record_id}].insert(field);
    const std::set<storage::RecordRef> asked{{"customers", wang}, {"customers", li},
                                             {"customers", "0190a1b2-0000-7000-8000-000000000000"},
                                             {"vehicles", wang}};
    auto pending = must(fx->changes().pending_fields(asked));
    CHECK(pending.size() == 2);  // neither the unknown customer nor a table the id is not in
    CHECK(pending.at({"customers", wang}) == expected.at({"customers", wang}));
    CHECK(pending.at({"customers", li}) == expected.at({"customers", li}));
    CHECK(pending.at({"customers", wang}).contains("company"));
    CHECK(must(fx->changes().pending_fields({})).empty());

    {
        // The registrations acknowledged: only the later edit still waits.
        auto tx = must(storage::Transaction::begin(fx->db()));
        FC_REQUIRE_OK(fx->changes().acknowledge(tx, registered.back().seq));
        FC_REQUIRE_OK(tx.commit());
    }
    pending = must(fx->changes().pending_fields(asked));
    REQUIRE(pending.size() == 1);
    CHECK(pending.at({"customers", wang}) == std::set<std::string>{"company"});
    {
        auto tx = must(storage::Transaction::begin(fx->db()));
        FC_REQUIRE_OK(fx->changes().set_aside(tx, edit.seq, "unknown field", 1'763'000'000'000));
        FC_REQUIRE_OK(tx.commit());
    }
    CHECK(must(fx->changes().pending_fields(asked)).empty());
}

TEST_CASE("change capture: recording a contact writes its own pages and the outbox's, little else") {
    // The contact (keyed by its id), its customer index and the outbox row,
    // plus now and then a parent page or the header when a tree grows: under
    // five pages on average (about 5.3 while the outbox had a record index,
    // seven and more while contacts had a separate id index and the outbox an
    // AUTOINCREMENT counter). In an encrypted book each page written is a
    // page sealed.
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000");
    auto frames = [&](const char* mode) {
        auto q = must(storage::Query::prepare(fx->db(), std::string("PRAGMA wal_checkpoint(") + mode + ")"));
        REQUIRE(must(q->step()));
        REQUIRE(q->int64(0) == 0);  // not busy
        return q->int64(1);
    };
    for (int i = 0; i < 50; ++i)  // past the first pages of each tree
        must(fx->record_contact(testing::contact_input(id, "phone_call", "keep_in_touch", "回访")));
    frames("TRUNCATE");
    const int recorded = 100;
    for (int i = 0; i < recorded; ++i)
        must(fx->record_contact(testing::contact_input(id, "phone_call", "keep_in_touch", "回访")));
    const double per_contact = static_cast<double>(frames("PASSIVE")) / recorded;
    CAPTURE(per_contact);
    CHECK(per_contact >= 3.0);
    CHECK(per_contact < 5.0);
}

TEST_CASE("change capture: pending reads a bounded page after a cursor, oldest first") {
    testing::BookFixture fx;
    fx.add_prospect("王伟", "13800138000");
    fx.add_prospect("王芳", "13900139000");
    const auto rows = fx.outbox();
    auto page = must(fx->changes().pending(rows[0].seq, 2));
    REQUIRE(page.size() == 2);
    CHECK(page[0].seq == rows[1].seq);
    CHECK(page[1].seq == rows[2].seq);
    CHECK(page[1].table == "customers");
    CHECK(page[1].hlc == Hlc{rows[2].hlc});
    REQUIRE_FALSE(page[1].fields.empty());
    CHECK(must(fx->changes().pending_count()) == 4);
}
