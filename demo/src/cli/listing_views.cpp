// Lists on a terminal and as JSON: customers, events, the outbox, the vocabulary.
#include <cstdio>
#include <map>
#include <string>

#include "cli/output.hpp"
#include "cli/views.hpp"
#include "forecourt/core/model/vocabulary.hpp"

namespace forecourt::cli {
namespace {

struct NamedVocabulary {
    const char* key;    // JSON key
    const char* title;  // heading for people
    const model::Vocabulary& (*list)();
};

// Every code list a user may need to type, in the order they meet them.
constexpr NamedVocabulary kVocabularies[] = {
    {"grades", "Grades (--grade, --grade-after)", &model::grades},
    {"sources", "Sources (--source)", &model::sources},
    {"contact_kinds", "Contact kinds (--kind of contact, plan, complete)", &model::contact_kinds},
    {"contact_purposes", "Contact purposes (--purpose)", &model::contact_purposes},
    {"loss_reasons", "Loss reasons (lost --reason)", &model::loss_reasons},
    {"statuses", "Customer statuses (list --status)", &model::customer_statuses},
    {"customer_kinds", "Customer kinds (list --kind)", &model::customer_kinds},
    {"payment_methods", "Payment methods (--payment)", &model::payment_methods},
    {"event_kinds", "Event kinds (event --kind)", &model::event_kinds},
    {"follow_up_statuses", "Follow-up statuses", &model::follow_up_statuses},
};

// The HLC as the 16 hex digits versions use, so it reads the same in both places.
std::string hlc_hex(Hlc hlc) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hlc.packed));
    return hex;
}

std::string field_names(const std::vector<storage::OutboxField>& fields) {
    std::vector<std::string> names;
    for (const auto& f : fields) names.push_back(f.field);
    return join(names);
}

}  // namespace

void print_customers(std::ostream& out, const std::vector<model::CustomerSummary>& customers,
                     int utc_offset_minutes) {
    if (customers.empty()) {
        out << "no customers match\n";
        return;
    }
    Table table({"name", "grade", "status", "phones", "source", "last contact", "id"});
    for (const auto& c : customers)
        table.add_row(
            {c.name, c.kind == "base" ? "base customer" : grade_text(c.grade), c.status,
             join(c.phones), c.source.value_or("—"),
             c.last_contact_at ? local_date_time(*c.last_contact_at, utc_offset_minutes) : "never",
             c.id});
    table.print(out, "");
    out << customers.size() << (customers.size() == 1 ? " customer\n" : " customers\n");
}

void print_events(std::ostream& out, const std::vector<model::Event>& events) {
    if (events.empty()) {
        out << "no events yet\n";
        return;
    }
    Table table({"date", "name", "kind", "location", "models", "id"});
    for (const auto& e : events)
        table.add_row({e.date, e.name, e.kind, or_dash(e.location),
                       e.models.empty() ? "—" : join(e.models), e.id});
    table.print(out, "");
}

void print_outbox(std::ostream& out, const OutboxView& outbox, int utc_offset_minutes) {
    out << outbox.pending << (outbox.pending == 1 ? " change" : " changes")
        << " waiting for sync (not yet acknowledged by the store server)\n";
    if (outbox.oldest.empty()) return;
    Table table({"seq", "stamped", "table", "record id", "fields"});
    for (const auto& e : outbox.oldest)
        table.add_row({std::to_string(e.seq),
                       local_date_time(static_cast<platform::EpochMs>(e.hlc.physical_ms()),
                                       utc_offset_minutes),
                       e.table, e.record_id, field_names(e.fields)});
    out << '\n';
    table.print(out, "");
    if (static_cast<std::int64_t>(outbox.oldest.size()) < outbox.pending)
        out << "(the oldest " << outbox.oldest.size() << " shown; --limit shows more)\n";
}

nlohmann::json outbox_json(const OutboxView& outbox) {
    auto changes = nlohmann::json::array();
    for (const auto& e : outbox.oldest)
        changes.push_back({{"seq", e.seq},
                           {"table", e.table},
                           {"record_id", e.record_id},
                           {"hlc", hlc_hex(e.hlc)},
                           {"stamped_at", e.hlc.physical_ms()},
                           {"fields", storage::outbox_fields_to_json(e.fields)}});
    return {{"pending", outbox.pending}, {"changes", changes}};
}

nlohmann::json outbox_by_table(const OutboxView& outbox) {
    std::map<std::string, int> counts;
    for (const auto& e : outbox.oldest) ++counts[e.table];
    return counts;
}

void print_vocabulary(std::ostream& out) {
    bool first = true;
    for (const auto& v : kVocabularies) {
        if (!first) out << '\n';
        first = false;
        out << v.title << '\n';
        Table table({"code", "label"});
        for (const auto& term : v.list().terms)
            table.add_row({std::string(term.code), std::string(term.label)});
        table.print(out);
    }
}

nlohmann::json vocabulary_json() {
    auto doc = nlohmann::json::object();
    for (const auto& v : kVocabularies) {
        auto terms = nlohmann::json::array();
        for (const auto& term : v.list().terms)
            terms.push_back({{"code", term.code}, {"label", term.label}});
        doc[v.key] = terms;
    }
    return doc;
}

}  // namespace forecourt::cli
