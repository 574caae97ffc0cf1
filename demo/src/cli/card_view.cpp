// The customer information card (客户信息卡) on a terminal: details, vehicles,
// open follow-ups and the full history, newest first.
#include <string>

#include "cli/output.hpp"
#include "cli/views.hpp"
#include "forecourt/core/model/vocabulary.hpp"

namespace forecourt::cli {
namespace {

std::string text_of(const std::optional<std::string>& v) {
    return v.value_or("");
}

// 300000 → "300,000": budgets are read at a glance.
std::string number_of(const std::optional<std::int64_t>& v) {
    if (!v) return {};
    std::string digits = std::to_string(*v < 0 ? -*v : *v);
    for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(at, ",");
    return (*v < 0 ? "-" : "") + digits;
}

std::string when_of(const std::optional<platform::EpochMs>& at, int offset) {
    return at ? local_date_time(*at, offset) : std::string();
}

void print_details(std::ostream& out, const model::Customer& c, int offset) {
    std::string loss;
    if (c.loss_reason) loss = label_of(model::loss_reasons(), c.loss_reason);
    if (c.loss_note) loss += (loss.empty() ? "" : ": ") + *c.loss_note;
    print_fields(out,
                 {
                     {"id", c.id},
                     {"kind", label_of(model::customer_kinds(), c.kind)},
                     {"status", label_of(model::customer_statuses(), c.status)},
                     {"grade", c.grade ? grade_text(c.grade) : std::string()},
                     {"loss reason", loss},
                     {"phones", join(c.phones)},
                     {"source", c.source ? label_of(model::sources(), c.source) : std::string()},
                     {"models", join(c.models_of_interest)},
                     {"budget", number_of(c.budget)},
                     {"payment",
                      c.payment_method ? label_of(model::payment_methods(), c.payment_method) : ""},
                     {"trade-in", text_of(c.trade_in)},
                     {"company", text_of(c.company)},
                     {"address", text_of(c.address)},
                     {"birthday", text_of(c.birthday)},
                     {"household", text_of(c.household_notes)},
                     {"next visit", text_of(c.next_visit)},
                     {"registered", local_date_time(c.created_at, offset)},
                     {"closed", when_of(c.closed_at, offset)},
                 });
}

void print_vehicles(std::ostream& out, const std::vector<model::Vehicle>& vehicles) {
    if (vehicles.empty()) return;
    print_section(out, "Vehicles (" + std::to_string(vehicles.size()) + ")");
    Table table(
        {"model", "colour", "plate", "VIN", "delivered", "next maintenance", "insurance expiry"});
    for (const auto& v : vehicles)
        table.add_row({v.model, or_dash(v.colour), or_dash(v.plate), or_dash(v.vin),
                       or_dash(v.delivery_date), or_dash(v.next_maintenance),
                       or_dash(v.insurance_expiry)});
    table.print(out);
}

void print_open_follow_ups(std::ostream& out, const std::vector<model::FollowUp>& follow_ups) {
    Table table({"due", "what", "notes", "follow-up id"});
    for (const auto& f : follow_ups) {
        if (f.status != "open") continue;
        table.add_row({f.due,
                       label_of(model::contact_kinds(), f.kind) + " — " +
                           label_of(model::contact_purposes(), f.purpose),
                       or_dash(f.notes), f.id});
    }
    print_section(out, "Open follow-ups");
    if (table.empty())
        out << "  none planned\n";
    else
        table.print(out);
}

void print_history(std::ostream& out, const std::vector<model::TimelineEntry>& timeline,
                   int offset) {
    print_section(out, "History, newest first (" + std::to_string(timeline.size()) + ")");
    Table table({"when", "entry", "details"});
    for (const auto& t : timeline) {
        std::string type = t.type;
        for (auto& ch : type)
            if (ch == '_') ch = ' ';
        table.add_row({local_date_time(t.at, offset), type, t.summary});
    }
    table.print(out);
}

}  // namespace

void print_card(std::ostream& out, const model::CustomerCard& card, int utc_offset_minutes) {
    out << card.customer.name << '\n';
    print_details(out, card.customer, utc_offset_minutes);
    print_vehicles(out, card.vehicles);
    print_open_follow_ups(out, card.follow_ups);
    print_history(out, card.timeline, utc_offset_minutes);
}

}  // namespace forecourt::cli
