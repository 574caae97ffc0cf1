// The merge rules on their own: per-field last writer wins with every losing
// value kept, history that never conflicts, and stamps from bad clocks.
#include <doctest/doctest.h>

#include "forecourt/sync/merge.hpp"

using namespace forecourt;
using namespace forecourt::sync;
using nlohmann::json;

namespace {

const Version kBase{Hlc::from_parts(1000, 0), "server"};

Version at(std::uint64_t ms, const std::string& replica) { return Version{Hlc::from_parts(ms, 0), replica}; }

// A customer row as RecordStore::read returns it, every field at `version`.
json row(json fields, const Version& version) {
    json versions = json::object();
    for (const auto& [k, v] : fields.items()) versions[k] = version.to_string();
    fields["owner_id"] = "c-1";
    fields["versions"] = versions;
    return fields;
}

Change edit(const std::string& field, json value, std::optional<Version> base) {
    return Change{1, "customers", "id", Hlc{}, {FieldChange{field, std::move(value), base}}};
}

const model::TableSpec& customers() { return *model::find_table("customers"); }

// Applies `merged` to a row the way the server does.
json applied(json current, const RecordMerge& merged) {
    for (const auto& d : merged.fields) {
        current[d.field] = d.value;
        current["versions"][d.field] = d.version.to_string();
    }
    return current;
}

}  // namespace

TEST_CASE("merge: concurrent edits of one field give the same result in either order") {
    const json start = row({{"address", "old"}}, kBase);
    const Version va = at(2000, "tablet-a"), vb = at(3000, "tablet-b");
    const auto a = edit("address", "A's", kBase);
    const auto b = edit("address", "B's", kBase);

    auto ab1 = merge_record(customers(), start, a, va, "tablet-a");
    auto ab2 = merge_record(customers(), applied(start, ab1), b, vb, "tablet-b");
    auto ba1 = merge_record(customers(), start, b, vb, "tablet-b");
    auto ba2 = merge_record(customers(), applied(start, ba1), a, va, "tablet-a");

    CHECK(applied(applied(start, ab1), ab2) == applied(applied(start, ba1), ba2));
    CHECK(applied(applied(start, ab1), ab2)["address"] == "B's");
    REQUIRE(ab2.fields[0].conflict);
    REQUIRE(ba2.fields[0].conflict);
    CHECK(ab2.fields[0].conflict->loser_value == "A's");
    CHECK(ba2.fields[0].conflict->loser_value == "A's");
    CHECK(ab2.fields[0].conflict->loser_version == va);
    CHECK(ba2.fields[0].conflict->winner_version == vb);
    CHECK(ab2.fields[0].apply);        // B's later edit replaces A's
    CHECK_FALSE(ba2.fields[0].apply);  // A's earlier edit does not replace B's
}

TEST_CASE("merge: a tie in time is broken by replica id, the same way every time") {
    const json start = row({{"grade", "B"}}, kBase);
    const Version va = at(2000, "tablet-a"), vb = at(2000, "tablet-b");
    auto first = merge_record(customers(), start, edit("grade", "A", kBase), va, "tablet-a");
    auto second = merge_record(customers(), applied(start, first), edit("grade", "H", kBase), vb, "tablet-b");
    CHECK(applied(applied(start, first), second)["grade"] == "H");
    REQUIRE(second.fields[0].conflict);
    CHECK(second.fields[0].conflict->loser_value == "A");
}

TEST_CASE("merge: edits of different fields of one record both apply, without conflict") {
    const json start = row({{"address", "old"}, {"budget", 100}}, kBase);
    auto a = merge_record(customers(), start, edit("address", "new", kBase), at(2000, "a"), "a");
    auto b = merge_record(customers(), applied(start, a), edit("budget", 200, kBase), at(1500, "b"), "b");
    const json end = applied(applied(start, a), b);
    CHECK(end["address"] == "new");
    CHECK(end["budget"] == 200);
    CHECK_FALSE(a.fields[0].conflict);
    CHECK_FALSE(b.fields[0].conflict);
}

TEST_CASE("merge: an edit made on top of the current value applies even with an older clock") {
    const json start = row({{"address", "old"}}, at(5000, "b"));
    auto m = merge_record(customers(), start, edit("address", "new", at(5000, "b")), at(4000, "a"), "a");
    CHECK(m.fields[0].apply);
    CHECK_FALSE(m.fields[0].conflict);
}

TEST_CASE("merge: a device's edit on top of its own earlier value is never a conflict") {
    // The server re-stamped the device's first write, so the device's base is stale.
    const json start = row({{"address", "first"}}, at(2000, "a"));
    auto m = merge_record(customers(), start, edit("address", "second", at(9000, "a")), at(9001, "a"), "a");
    CHECK(m.fields[0].apply);
    CHECK_FALSE(m.fields[0].conflict);
}

TEST_CASE("merge: concurrent edits to the same value keep the greater version and log nothing") {
    const json start = row({{"grade", "B"}}, kBase);
    auto a = merge_record(customers(), start, edit("grade", "A", kBase), at(2000, "a"), "a");
    auto b = merge_record(customers(), applied(start, a), edit("grade", "A", kBase), at(3000, "b"), "b");
    CHECK_FALSE(b.fields[0].conflict);
    CHECK(b.fields[0].version == at(3000, "b"));
}

TEST_CASE("merge: setting a field nobody had set is not a conflict; two devices setting it are") {
    const json start = row({{"name", "王伟"}}, kBase);
    auto first = merge_record(customers(), start, edit("trade_in", "Jetta 2015", std::nullopt), at(2000, "a"), "a");
    CHECK(first.fields[0].apply);
    CHECK_FALSE(first.fields[0].conflict);
    auto second = merge_record(customers(), applied(start, first), edit("trade_in", "none", std::nullopt),
                               at(1800, "b"), "b");
    CHECK_FALSE(second.fields[0].apply);
    REQUIRE(second.fields[0].conflict);
    CHECK(second.fields[0].conflict->loser_value == "none");
}

TEST_CASE("merge: history records are inserted once and never conflict") {
    const auto& contacts = *model::find_table("contacts");
    Change c{1, "contacts", "id", Hlc{}, {FieldChange{"kind", "phone_call", std::nullopt}}};
    auto insert = merge_record(contacts, std::nullopt, c, at(2000, "a"), "a");
    CHECK_FALSE(insert.duplicate);
    CHECK(insert.writes.size() == 1);
    json existing = {{"kind", "walk_in"}, {"owner_id", "c-1"}, {"versions", {{"*", at(1000, "b").to_string()}}}};
    auto again = merge_record(contacts, existing, c, at(3000, "a"), "a");
    CHECK(again.duplicate);
    CHECK(again.writes.empty());
    CHECK(again.fields.empty());
}

TEST_CASE("merge: a stamp within the allowed skew is kept and advances the server clock") {
    platform::ManualClock wall(1'000'000);
    HybridClock server(wall);
    const Hlc ahead = Hlc::from_parts(1'000'000 + 60'000, 3);  // a minute fast
    const auto stamp = stamp_change(server, ahead, "tablet", 5 * 60'000);
    CHECK_FALSE(stamp.restamped);
    CHECK(stamp.version == Version{ahead, "tablet"});
    CHECK(server.tick() > ahead);
}

TEST_CASE("merge: a stamp beyond the allowed skew takes the server's clock, keeping its replica") {
    platform::ManualClock wall(1'000'000);
    HybridClock server(wall);
    const Hlc next_year = Hlc::from_parts(1'000'000 + 365LL * 24 * 3600 * 1000, 0);
    const auto stamp = stamp_change(server, next_year, "tablet", 5 * 60'000);
    CHECK(stamp.restamped);
    CHECK(stamp.original == next_year);
    CHECK(stamp.version.replica == "tablet");
    CHECK(stamp.version.hlc.physical_ms() == 1'000'000);
    CHECK(server.tick() < next_year);  // the bad clock did not drag the server's along
}

TEST_CASE("merge: a pulled change never overwrites an unsynced local edit") {
    PulledChange pulled{5, PulledOp::upsert, "customers", "id", "c-1",
                        {FieldValue{"address", "server's", at(2000, "b")}, FieldValue{"grade", "A", at(2000, "b")}}};
    auto writes = merge_pulled(pulled, {"address"});
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].field == "grade");
    CHECK(writes[0].version == at(2000, "b"));
    CHECK(merge_pulled(pulled, {}).size() == 2);
}
