// The store's vocabulary: grades, sources, contact kinds and purposes, loss
// reasons... Each is a closed list of codes (as stored and sent over the
// wire) with the label a consultant reads.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "forecourt/core/result.hpp"

namespace forecourt::model {

struct Term {
    std::string_view code;   // stored and exchanged: "walk_in"
    std::string_view label;  // shown: "walk-in (来店)"
};

struct Vocabulary {
    std::string_view name;  // "source"
    std::span<const Term> terms;

    bool contains(std::string_view code) const;
    std::string_view label(std::string_view code) const;  // the code itself if unknown
    // Accepts a known code; otherwise an invalid_argument error listing them.
    Status check(std::string_view code) const;
    std::string codes() const;  // "walk_in, phone_in, ..."
};

// Prospect grades, hottest first: O, H, A, B, C.
const Vocabulary& grades();
const Vocabulary& customer_kinds();     // prospect, base
const Vocabulary& customer_statuses();  // active, won, lost, archived
const Vocabulary& sources();
const Vocabulary& loss_reasons();
const Vocabulary& contact_kinds();
const Vocabulary& contact_purposes();
const Vocabulary& follow_up_statuses();  // open, done, cancelled
const Vocabulary& payment_methods();
const Vocabulary& event_kinds();

}  // namespace forecourt::model
