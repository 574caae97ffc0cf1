// Change capture: the outbox holds exactly what a sync push needs — one row per
// write, one HLC per row, each field's new value and the version it replaced.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "book_fixture.hpp"
#include "checks.hpp"
#include "forecourt/core/storage/transaction.hpp"

using namespace forecourt;
using nlohmann::json;
using testing::must;
using testing::field_names;
using testing::OutboxRow;

namespace {

std::string version_of(testing::BookFixture& fx, std::uint64_t hlc) {
    return Version{Hlc{hlc}, fx->identity().replica_id}.to_string();
}

// The record store's versions are those of the last row that wrote each field
// (append-only records keep one version for the whole record).
void check_versions_match(testing::BookFixture& fx, const std::vector<OutboxRow>& rows) {
    std::map<std::pair<std::string, std::string>, std::map<std::string, std::uint64_t>> expected;
    for (const auto& row : rows) {
        const auto* table = model::find_table(row.table);
        REQUIRE(table);
        auto& fields = expected[{row.table, row.record_id}];
        if (table->kind == model::TableKind::append_only) {
            fields["*"] = row.hlc;
        } else {
            for (const auto& field : field_names(row)) fields[field] = row.hlc;
        }
    }
    for (const auto& [record, fields] : expected) {
        auto versions =
            must(fx->records().versions(*model::find_table(record.first), record.second));
        REQUIRE(versions.has_value());
        for (const auto& [field, hlc] : fields) {
            CAPTURE(record.first);
            CAPTURE(field);
            CHECK(versions->at(field) == Version{Hlc{hlc}, fx->identity().replica_id});
        }
        CHECK(versions->size() == fields.size());  // no version without its captured change
    }
}

// A prospect registered, called (grade up, follow-up planned), then lost.
struct ProspectStory {
    std::string customer_id;
    std::string contact_id;
    std::vector<OutboxRow> rows;
};

ProspectStory register_call_and_lose(testing::BookFixture& fx) {
    ProspectStory story;
    story.customer_id = fx.add_prospect("王伟", "13800138000", "B");
    fx.clock().advance(60'000);
    auto call = testing::contact_input(story.customer_id, "phone_call", "promote_deal",
                                       "wants a test drive");
    call.grade_after = "A";
    call.next_contact = "2025-11-27";
    story.contact_id = must(fx->record_contact(call));
    fx.clock().advance(60'000);
    must(fx->mark_lost(story.customer_id, "price", "found it cheaper online"));
    story.rows = fx.outbox();
    return story;
}

}  // namespace

TEST_CASE("change capture: each write is one outbox row, in order, with its own stamp") {
    testing::BookFixture fx;
    const auto story = register_call_and_lose(fx);
    const auto& rows = story.rows;
    std::vector<std::string> tables;
    for (const auto& r : rows) tables.push_back(r.table);
    REQUIRE(tables == std::vector<std::string>{"customers", "grade_changes", "contacts",
                                               "grade_changes", "customers", "follow_ups",
                                               "customers", "follow_ups"});
    for (std::size_t i = 1; i < rows.size(); ++i) {
        CHECK(rows[i].seq > rows[i - 1].seq);
        CHECK(rows[i].hlc > rows[i - 1].hlc);
    }
    check_versions_match(fx, rows);
    CHECK(rows[0].record_id == story.customer_id);
    CHECK(rows[2].record_id == story.contact_id);
    CHECK(rows[7].record_id == rows[5].record_id);
    CHECK(Hlc{rows[0].hlc}.physical_ms() ==
          static_cast<std::uint64_t>(fx.clock().now_ms() - 120'000));
}

TEST_CASE("change capture: each row carries the new values and the versions they replaced") {
    testing::BookFixture fx;
    const auto rows = register_call_and_lose(fx).rows;
    REQUIRE(rows.size() == 8);
    const auto& created = rows[0];
    CHECK(created.fields["name"] == json{{"value", "王伟"}, {"base", nullptr}});
    CHECK(created.fields["phones"]["value"] == json::array({"13800138000"}));
    CHECK(created.fields["grade"]["value"] == "B");
    for (const auto& [field, change] : created.fields.items()) CHECK(change["base"].is_null());
    CHECK(rows[2].fields["outcome"]["value"] == "wants a test drive");
    CHECK(rows[2].fields["next_contact"]["value"] == "2025-11-27");
    CHECK(rows[3].fields["from_grade"]["value"] == "B");
    CHECK(rows[3].fields["to_grade"]["value"] == "A");
    CHECK(rows[4].fields ==
          json{{"grade", {{"value", "A"}, {"base", version_of(fx, created.hlc)}}}});
    CHECK(rows[5].fields["due"]["value"] == "2025-11-27");
    CHECK(rows[5].fields["status"]["value"] == "open");
    const auto& lost = rows[6];
    CHECK(field_names(lost) ==
          std::set<std::string>{"status", "loss_reason", "loss_note", "closed_at"});
    CHECK(lost.fields["status"] == json{{"value", "lost"}, {"base", version_of(fx, created.hlc)}});
    CHECK(lost.fields["loss_reason"]["base"].is_null());  // never written before
    CHECK(lost.fields["closed_at"]["value"] == fx.clock().now_ms());
    const auto& cancelled = rows[7];
    CHECK(field_names(cancelled) == std::set<std::string>{"status", "closed_at", "cancel_reason"});
    CHECK(cancelled.fields["status"] ==
          json{{"value", "cancelled"}, {"base", version_of(fx, rows[5].hlc)}});
}

TEST_CASE(
    "change capture: an edit captures only the fields that change, with the version each "
    "replaced") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000", "B");
    const auto registered = fx.outbox().front().hlc;
    must(fx->edit_card(id, {{"name", "王伟强"},
                            {"company", nullptr},
                            {"source", "walk_in"},
                            {"trade_in", "2015 Corolla"}}));
    auto rows = fx.outbox();
    REQUIRE(rows.size() == 3);
    const auto first_edit = rows.back();
    CHECK(field_names(first_edit) == std::set<std::string>{"name", "trade_in"});
    CHECK(first_edit.fields["name"] ==
          json{{"value", "王伟强"}, {"base", version_of(fx, registered)}});
    CHECK(first_edit.fields["trade_in"] == json{{"value", "2015 Corolla"}, {"base", nullptr}});

    must(fx->edit_card(id, {{"name", "王伟"}}));
    rows = fx.outbox();
    REQUIRE(rows.size() == 4);
    CHECK(rows.back().fields["name"]["base"] == version_of(fx, first_edit.hlc));

    // A write that changes nothing leaves nothing to sync.
    must(fx->edit_card(id, {{"name", "王伟"}, {"trade_in", "2015 Corolla"}}));
    CHECK(fx.outbox().size() == 4);
}

TEST_CASE("change capture: the HLC keeps increasing when the tablet's clock goes backwards") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000");
    const auto before = fx.outbox().back().hlc;
    fx.clock().advance(-3'600'000);
    must(fx->edit_card(id, {{"company", "Acme"}}));
    const auto behind = fx.outbox().back().hlc;
    CHECK(behind > before);
    CHECK(Hlc{behind}.physical_ms() == Hlc{before}.physical_ms());
    fx.clock().advance(2 * 3'600'000);
    must(fx->edit_card(id, {{"company", "Acme Ltd"}}));
    const auto ahead = fx.outbox().back().hlc;
    CHECK(Hlc{ahead}.physical_ms() == static_cast<std::uint64_t>(fx.clock().now_ms()));
    CHECK(Hlc{ahead}.counter() == 0);
}

TEST_CASE("change capture: the HLC survives reopening the book with the clock set back") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000");
    fx.clock().advance(5 * 60'000);
    must(fx->edit_card(id, {{"company", "Acme"}}));
    const auto last = fx.outbox().back().hlc;
    fx.close();
    fx.clock().advance(-86'400'000);
    fx.reopen();
    CHECK(fx->hlc().last() == Hlc{last});
    must(fx->edit_card(id, {{"company", "Acme Ltd"}}));
    CHECK(fx.outbox().back().hlc > last);
}

TEST_CASE("change capture: the HLC survives reopening with the clock set back after the outbox drained") {
    // Local writes keep their stamp only in the outbox; when the store
    // acknowledges them, the newest stamp must stay behind in the book.
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000");
    fx.clock().advance(5 * 60'000);
    must(fx->edit_card(id, {{"company", "Acme"}}));
    const auto last = fx.outbox().back().hlc;
    {
        auto tx = must(storage::Transaction::begin(fx->db()));
        must(fx->changes().acknowledge(tx, fx.outbox().back().seq));
        must(tx.commit());
    }
    REQUIRE(fx.outbox().empty());
    fx.close();
    fx.clock().advance(-86'400'000);
    fx.reopen();
    CHECK(fx->hlc().last() == Hlc{last});
    must(fx->edit_card(id, {{"company", "Acme Ltd"}}));
    CHECK(fx.outbox().back().hlc > last);
}

TEST_CASE("change capture: history records cannot be rewritten") {
    testing::BookFixture fx;
    const auto id = fx.add_prospect("王伟", "13800138000");
    const auto contact_id =
        must(fx->record_contact(testing::contact_input(id, "phone_call", "collect_info")));
    const std::string before = fx.dump();
    for (const auto& [table, record] : {std::pair{"contacts", contact_id},
                                        std::pair{"grade_changes", fx.outbox()[1].record_id}}) {
        CAPTURE(table);
        auto tx = must(storage::Transaction::begin(fx->db()));
        FC_CHECK_FAILS(fx->changes().write(tx, *model::find_table(table), record,
                                           fx->identity().consultant_id, {{"notes", "rewritten"}}),
                       ErrorCode::invalid_state, "history and cannot be changed");
    }
    CHECK(fx.dump() == before);
}

TEST_CASE("change capture: store reference data cannot be written on the tablet") {
    testing::BookFixture fx;
    const std::string before = fx.dump();
    for (const char* table : {"consultants", "vehicle_models"}) {
        CAPTURE(table);
        auto tx = must(storage::Transaction::begin(fx->db()));
        FC_CHECK_FAILS(
            fx->changes().write(tx, *model::find_table(table), "ref-1", "", {{"name", "Camry"}}),
            ErrorCode::forbidden, "only the store server");
    }
    CHECK(fx.dump() == before);
}

TEST_CASE("record store: a put stores each field's version, quoting any replica id; a field twice is refused") {
    testing::BookFixture fx;
    const auto* customers = model::find_table("customers");
    REQUIRE(customers);
    const std::string id = "0193a1c0-0000-7000-8000-0000000000c1";
    const Version first{Hlc{0x0000018c2f4a1b2cULL}, "tablet-1"};
    const Version second{Hlc{0x0000018c2f4a1b2dULL}, "tablet-2"};
    const Version odd{Hlc{0x0000018c2f4a1b2eULL}, "store \"north\"\\\t1"};
    auto put = [&](const std::vector<storage::FieldWrite>& writes) {
        auto tx = must(storage::Transaction::begin(fx->db()));
        auto status = fx->records().put(tx, *customers, id, "store-1", "owner-1", writes,
                                        storage::RecordStore::Owner::take);
        if (status.ok()) REQUIRE(tx.commit().ok());
        return status;
    };
    REQUIRE(put({{"status", "active", first},
                 {"name", "王伟", second},
                 {"phones", json::array({"13800138000"}), odd},
                 {"grade", "H", first}}).ok());
    const auto state = must(fx->records().state(*customers, id));
    REQUIRE(state.has_value());
    CHECK(state->owner_id == "owner-1");
    REQUIRE(state->versions.size() == 4);
    CHECK(state->versions.at("name") == second);
    CHECK(state->versions.at("grade") == first);
    CHECK(state->versions.at("status") == first);
    CHECK(state->versions.at("phones") == odd);
    const auto stored = must(fx->records().read(*customers, id));
    REQUIRE(stored.has_value());
    CHECK((*stored)["name"] == "王伟");
    CHECK((*stored)["phones"] == json::array({"13800138000"}));

    const auto twice = put({{"name", "王伟伟", second}, {"grade", "A", second}, {"name", "王五", second}});
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.error().code == ErrorCode::invalid_argument);
    CHECK(twice.error().message.find("customers.name is written twice") != std::string::npos);
    CHECK(must(fx->records().read(*customers, id)) == stored);
}
