// Reading a pulled page without a document of it. Parsing a 2,000-change
// page into a document, copying every value out of it into the typed page and
// freeing the document was most of a pull's decoding; here the parser's own
// strings and numbers move into the typed changes as they are read.
#include "typed_page_reader.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "forecourt/core/model/record_schema.hpp"
#include "document_builder.hpp"
#include "json_reader.hpp"
#include "record_checks.hpp"

namespace forecourt::sync::detail {

using nlohmann::json;

namespace {

// The members of a pulled change, one bit each.
enum : unsigned {
    kSeq = 1u << 0,
    kOp = 1u << 1,
    kTable = 1u << 2,
    kId = 1u << 3,
    kOwner = 1u << 4,
    kFields = 1u << 5,
    kVersion = 1u << 6,
    kVersions = 1u << 7,
};

unsigned pulled_member(std::string_view name) {
    static constexpr std::pair<std::string_view, unsigned> kMembers[] = {
        {"seq", kSeq},        {"op", kOp},         {"table", kTable},     {"id", kId},
        {"owner_id", kOwner}, {"fields", kFields}, {"version", kVersion}, {"versions", kVersions},
    };
    for (const auto& [member, bit] : kMembers)
        if (member == name) return bit;
    return 0;
}

// A pulled change as read: its versions are still text, its fields in the
// order they came.
struct Draft {
    PulledChange change;
    std::string op;
    std::string version;                                        // "version": most fields'
    std::vector<std::pair<std::string, std::string>> versions;  // "versions": a field's own
    unsigned seen = 0;                                          // members read
    unsigned current = 0;                                       // the member whose name came last
};

// Where the parser is. The message around the page is built as a document;
// the page's changes (root.pull.changes) are read by the other states.
enum class Where { document, changes, change, fields, field_array, versions };

class TypedReader final : public nlohmann::json_sax<json> {
public:
    // `body_bytes`: the message's size, from which room for its changes is
    // made at once (no change takes fewer than about 64 bytes).
    TypedReader(const Limits& limits, std::size_t body_bytes)
        : limits_(limits),
          doc_(limits),
          expected_changes_(std::min(limits.max_array_length, body_bytes / 64)) {}

    json& root() { return doc_.root; }
    std::vector<PulledChange> changes;

    bool null() override { return scalar(nullptr); }
    bool boolean(bool b) override { return scalar(b); }
    bool number_integer(number_integer_t n) override { return scalar(n); }
    bool number_unsigned(number_unsigned_t n) override { return scalar(n); }
    bool number_float(number_float_t n, const string_t&) override { return scalar(n); }
    bool string(string_t& s) override { return fits(s) && scalar(string_t(s)); }
    bool binary(binary_t&) override { return false; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false;
    }

    bool key(string_t& k) override {
        if (!fits(k)) return false;
        switch (where_) {
            case Where::document:
                if (!doc_.count()) return false;
                changes_next_ = false;
                if (doc_.depth() == 1) {
                    in_pull_ = k == "pull";
                    // A second "pull" would win: the document decoder's case.
                    if (in_pull_ && pull_seen_) return false;
                    pull_seen_ = pull_seen_ || in_pull_;
                } else if (doc_.depth() == 2 && in_pull_ && k == "changes") {
                    if (changes_seen_) return false;
                    changes_seen_ = true;
                    changes_next_ = true;
                }
                doc_.name(std::move(k));
                return true;
            case Where::change: {
                if (!count(change_members_)) return false;
                const unsigned bit = pulled_member(k);
                if (bit == 0 || (draft_.seen & bit) != 0) return false;
                draft_.seen |= bit;
                draft_.current = bit;
                return true;
            }
            case Where::fields:
                if (!count(inner_members_)) return false;
                draft_.change.fields.push_back(FieldValue{k, json(), Version{}});
                return true;
            case Where::versions:
                if (!count(inner_members_)) return false;
                draft_.versions.emplace_back(k, std::string());
                return true;
            case Where::changes:
            case Where::field_array:
                break;
        }
        return false;
    }

    bool start_object(std::size_t) override {
        switch (where_) {
            case Where::document:
                changes_next_ = false;
                return doc_.element() && doc_.open(json::object());
            case Where::changes:
                if (!count(changes_members_) || limits_.max_depth < 4) return false;
                draft_ = Draft{};
                change_members_ = 0;
                where_ = Where::change;
                return true;
            case Where::change:
                if (limits_.max_depth < 5) return false;
                inner_members_ = 0;
                if (draft_.current == kFields) {
                    // The store sends the table first: room for all its fields at once.
                    const auto* table = model::find_table(draft_.change.table);
                    draft_.change.fields.reserve(table ? table->fields.size() : 8);
                    where_ = Where::fields;
                    return true;
                }
                if (draft_.current == kVersions) {
                    where_ = Where::versions;
                    return true;
                }
                return false;
            case Where::fields:
            case Where::field_array:
            case Where::versions:
                break;
        }
        return false;
    }

    bool end_object() override {
        switch (where_) {
            case Where::document:
                doc_.close();
                return true;
            case Where::change:
                where_ = Where::changes;
                return finish();
            case Where::fields:
            case Where::versions:
                where_ = Where::change;
                return true;
            case Where::changes:
            case Where::field_array:
                break;
        }
        return false;
    }

    bool start_array(std::size_t) override {
        if (where_ == Where::document) {
            if (!doc_.element()) return false;
            if (changes_next_) {  // root.pull.changes
                changes_next_ = false;
                if (limits_.max_depth < 3) return false;
                // The document decoder finds an empty array; the changes are kept apart.
                doc_.place(json::array());
                changes.reserve(expected_changes_);
                changes_members_ = 0;
                where_ = Where::changes;
                return true;
            }
            return doc_.open(json::array());
        }
        if (where_ == Where::fields) {
            if (limits_.max_depth < 6) return false;
            draft_.change.fields.back().value = json::array();
            array_members_ = 0;
            where_ = Where::field_array;
            return true;
        }
        return false;
    }

    bool end_array() override {
        switch (where_) {
            case Where::document:
                doc_.close();
                return true;
            case Where::changes:
                where_ = Where::document;
                return true;
            case Where::field_array:
                where_ = Where::fields;
                return true;
            case Where::change:
            case Where::fields:
            case Where::versions:
                break;
        }
        return false;
    }

private:
    bool fits(const string_t& s) const { return s.size() <= limits_.max_string_bytes; }
    bool count(std::size_t& members) const { return ++members <= limits_.max_array_length; }

    template <typename Value>
    bool scalar(Value&& value) {
        switch (where_) {
            case Where::document:
                if (!doc_.element()) return false;
                changes_next_ = false;
                doc_.place(std::forward<Value>(value));
                return true;
            case Where::change:
                return member_value(std::forward<Value>(value));
            case Where::fields:
                draft_.change.fields.back().value = json(std::forward<Value>(value));
                return true;
            case Where::field_array:
                if (!count(array_members_)) return false;
                draft_.change.fields.back().value.emplace_back(std::forward<Value>(value));
                return true;
            case Where::versions:
                if constexpr (std::is_same_v<std::decay_t<Value>, std::string>) {
                    draft_.versions.back().second = std::forward<Value>(value);
                    return true;
                }
                return false;
            case Where::changes:
                break;
        }
        return false;
    }

    // A scalar member of a pulled change: seq an integer, the others strings.
    template <typename Value>
    bool member_value(Value&& value) {
        using T = std::decay_t<Value>;
        PulledChange& c = draft_.change;
        if constexpr (std::is_same_v<T, std::string>) {
            switch (draft_.current) {
                case kOp:
                    draft_.op = std::forward<Value>(value);
                    return true;
                case kTable:
                    c.table = std::forward<Value>(value);
                    return true;
                case kId:
                    c.record_id = std::forward<Value>(value);
                    return true;
                case kOwner:
                    c.owner_id = std::forward<Value>(value);
                    return true;
                case kVersion:
                    draft_.version = std::forward<Value>(value);
                    return true;
                default:
                    return false;
            }
        } else if constexpr (std::is_same_v<T, number_unsigned_t>) {
            if (draft_.current != kSeq ||
                value > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
                return false;
            c.seq = static_cast<std::int64_t>(value);
            return true;
        } else if constexpr (std::is_same_v<T, number_integer_t>) {
            if (draft_.current != kSeq) return false;
            c.seq = value;
            return true;
        } else {
            return false;
        }
    }

    // The change as decode_pulled would make it, or false where it would
    // refuse it (or where this reader cannot tell).
    bool finish() {
        constexpr unsigned kEvery = kSeq | kOp | kTable | kId;
        PulledChange& c = draft_.change;
        if ((draft_.seen & kEvery) != kEvery) return false;
        const auto* table = model::find_table(c.table);
        static const std::string kNoPath;
        if (!table || !check_record_id(c.record_id, kNoPath).ok()) return false;
        if (draft_.op == "purge") {
            c.op = PulledOp::purge;
            c.owner_id.clear();
            c.fields.clear();
        } else if (draft_.op == "upsert") {
            if ((draft_.seen & (kOwner | kFields)) != (kOwner | kFields) || !resolve_fields(*table))
                return false;
        } else {
            return false;
        }
        if (!changes.empty() && c.seq <= changes.back().seq) return false;
        changes.push_back(std::move(c));
        return true;
    }

    // Fields in name order (a document's), each with its own version or the
    // shared one; every "versions" name a field; every value of its type.
    bool resolve_fields(const model::TableSpec& table) {
        auto& fields = draft_.change.fields;
        auto& versions = draft_.versions;
        if (fields.size() > limits_.max_fields_per_change) return false;
        std::sort(fields.begin(), fields.end(),
                  [](const auto& a, const auto& b) { return a.field < b.field; });
        std::sort(versions.begin(), versions.end());
        const auto same_field = [](const auto& a, const auto& b) { return a.field == b.field; };
        const auto same_name = [](const auto& a, const auto& b) { return a.first == b.first; };
        if (std::adjacent_find(fields.begin(), fields.end(), same_field) != fields.end() ||
            std::adjacent_find(versions.begin(), versions.end(), same_name) != versions.end())
            return false;  // a repeated name: the document keeps the last, this reader does not try
        std::optional<Version> common;
        if ((draft_.seen & kVersion) != 0) {
            common = version_from_wire(draft_.version);
            if (!common) return false;
        }
        auto own = versions.begin();
        for (auto& f : fields) {
            if (!field_named(table, f.field, f.value, {}).ok()) return false;
            if (own != versions.end() && own->first < f.field) return false;  // names no field
            if (own != versions.end() && own->first == f.field) {
                auto version = version_from_wire(own->second);
                if (!version) return false;
                f.version = std::move(*version);
                ++own;
            } else if (common) {
                f.version = *common;
            } else {
                return false;
            }
        }
        return own == versions.end();
    }

    const Limits& limits_;
    DocumentBuilder doc_;  // the message around the page
    Where where_ = Where::document;
    bool in_pull_ = false;  // the root's member named last is "pull"
    bool pull_seen_ = false;
    bool changes_next_ = false;  // the next value is root.pull.changes
    bool changes_seen_ = false;
    Draft draft_;
    std::size_t changes_members_ = 0;
    std::size_t change_members_ = 0;
    std::size_t inner_members_ = 0;  // of "fields" or "versions"
    std::size_t array_members_ = 0;  // of a field's array value
    std::size_t expected_changes_;
};

}  // namespace

std::optional<TypedResponse> read_typed_response(std::string_view body, const Limits& limits) {
    if (body.size() > limits.max_response_bytes || invalid_utf8_at(body) != std::string_view::npos)
        return std::nullopt;
    TypedReader reader(limits, body.size());
    if (!json::sax_parse(body.begin(), body.end(), &reader, json::input_format_t::json, true,
                         false))
        return std::nullopt;
    if (!reader.root().is_object()) return std::nullopt;
    return TypedResponse{std::move(reader.root()), std::move(reader.changes)};
}

}  // namespace forecourt::sync::detail
