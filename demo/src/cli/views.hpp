// How the consultant's records read on a terminal: the agenda, the customer
// card, lists, events, the outbox and the vocabulary. Shared by the tablet
// commands and the demo.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/agenda.hpp"
#include "forecourt/core/model/records.hpp"
#include "forecourt/core/storage/change_capture.hpp"

namespace forecourt::cli {

void print_agenda(std::ostream& out, const Agenda& agenda);
void print_card(std::ostream& out, const model::CustomerCard& card, int utc_offset_minutes);
void print_customers(std::ostream& out, const std::vector<model::CustomerSummary>& customers,
                     int utc_offset_minutes);
void print_events(std::ostream& out, const std::vector<model::Event>& events);

// What is waiting to be pushed to the store server.
struct OutboxView {
    std::int64_t pending = 0;                  // every unacknowledged change
    std::vector<storage::OutboxEntry> oldest;  // the first of them, oldest first
};
void print_outbox(std::ostream& out, const OutboxView& outbox, int utc_offset_minutes);
nlohmann::json outbox_json(const OutboxView& outbox);
// Pending changes per table: {"customers": 7, "contacts": 3, ...}.
nlohmann::json outbox_by_table(const OutboxView& outbox);

void print_vocabulary(std::ostream& out);
nlohmann::json vocabulary_json();

}  // namespace forecourt::cli
