// Internal: a sync response read in one pass, its pulled changes straight into
// their typed structs (no document of the page), the rest of the message into
// a small document.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/sync/protocol.hpp"

namespace forecourt::sync::detail {

struct TypedResponse {
    nlohmann::json message;             // every member, but pull.changes: an empty array
    std::vector<PulledChange> changes;  // pull.changes, checked as decode_pulled checks them
};

// The response when its text is within the limits and each pulled change has
// the shape the store writes: each of seq, op, table, id, owner_id, fields,
// version and versions at most once, of its type, nothing else, every value
// one the schema takes, seqs increasing. Otherwise nullopt, and the document
// decoder, which reads anything, says what is wrong: this reader never makes
// an error of its own, so the two cannot disagree on one.
std::optional<TypedResponse> read_typed_response(std::string_view body, const Limits& limits);

}  // namespace forecourt::sync::detail
