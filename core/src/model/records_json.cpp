// JSON forms of the typed records (for --json output and, later, the C ABI).
#include "forecourt/core/model/records.hpp"

#include "forecourt/core/agenda.hpp"

namespace forecourt::model {
namespace {

template <typename T>
void put_opt(nlohmann::json& j, const char* key, const std::optional<T>& v) {
    j[key] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

void to_json(nlohmann::json& j, const Customer& c) {
    j = {{"id", c.id}, {"owner_id", c.owner_id}, {"kind", c.kind}, {"name", c.name},
         {"phones", c.phones}, {"status", c.status}, {"models_of_interest", c.models_of_interest},
         {"created_at", c.created_at}};
    put_opt(j, "grade", c.grade);
    put_opt(j, "loss_reason", c.loss_reason);
    put_opt(j, "loss_note", c.loss_note);
    put_opt(j, "source", c.source);
    put_opt(j, "budget", c.budget);
    put_opt(j, "payment_method", c.payment_method);
    put_opt(j, "trade_in", c.trade_in);
    put_opt(j, "birthday", c.birthday);
    put_opt(j, "company", c.company);
    put_opt(j, "address", c.address);
    put_opt(j, "household_notes", c.household_notes);
    put_opt(j, "next_visit", c.next_visit);
    put_opt(j, "closed_at", c.closed_at);
}

void to_json(nlohmann::json& j, const Vehicle& v) {
    j = {{"id", v.id}, {"customer_id", v.customer_id}, {"model", v.model}};
    put_opt(j, "vin", v.vin);
    put_opt(j, "plate", v.plate);
    put_opt(j, "colour", v.colour);
    put_opt(j, "purchase_date", v.purchase_date);
    put_opt(j, "delivery_date", v.delivery_date);
    put_opt(j, "mileage", v.mileage);
    put_opt(j, "insurance_expiry", v.insurance_expiry);
    put_opt(j, "next_maintenance", v.next_maintenance);
}

void to_json(nlohmann::json& j, const Contact& c) {
    j = {{"id", c.id}, {"customer_id", c.customer_id}, {"consultant_id", c.consultant_id},
         {"at", c.at}, {"kind", c.kind}, {"purpose", c.purpose}};
    put_opt(j, "outcome", c.outcome);
    put_opt(j, "notes", c.notes);
    put_opt(j, "grade_after", c.grade_after);
    put_opt(j, "next_contact", c.next_contact);
}

void to_json(nlohmann::json& j, const FollowUp& f) {
    j = {{"id", f.id}, {"customer_id", f.customer_id}, {"consultant_id", f.consultant_id},
         {"due", f.due}, {"kind", f.kind}, {"purpose", f.purpose}, {"status", f.status}};
    put_opt(j, "notes", f.notes);
    put_opt(j, "closed_at", f.closed_at);
    put_opt(j, "contact_id", f.contact_id);
    put_opt(j, "cancel_reason", f.cancel_reason);
}

void to_json(nlohmann::json& j, const TestDrive& t) {
    j = {{"id", t.id}, {"customer_id", t.customer_id}, {"consultant_id", t.consultant_id},
         {"model", t.model}, {"licence_checked", t.licence_checked}, {"started_at", t.started_at}};
    put_opt(j, "event_id", t.event_id);
    put_opt(j, "ended_at", t.ended_at);
    put_opt(j, "route", t.route);
    put_opt(j, "feedback", t.feedback);
    put_opt(j, "interest", t.interest);
}

void to_json(nlohmann::json& j, const GradeChange& g) {
    j = {{"id", g.id}, {"customer_id", g.customer_id}, {"consultant_id", g.consultant_id},
         {"at", g.at}, {"to_grade", g.to_grade}};
    put_opt(j, "from_grade", g.from_grade);
    put_opt(j, "reason", g.reason);
}

void to_json(nlohmann::json& j, const Event& e) {
    j = {{"id", e.id}, {"name", e.name}, {"kind", e.kind}, {"date", e.date}, {"models", e.models}};
    put_opt(j, "location", e.location);
    put_opt(j, "notes", e.notes);
}

void to_json(nlohmann::json& j, const TimelineEntry& t) {
    j = {{"at", t.at}, {"type", t.type}, {"id", t.id}, {"summary", t.summary}};
}

void to_json(nlohmann::json& j, const CustomerCard& c) {
    j = {{"customer", c.customer},       {"vehicles", c.vehicles},
         {"follow_ups", c.follow_ups},   {"contacts", c.contacts},
         {"test_drives", c.test_drives}, {"grade_changes", c.grade_changes},
         {"timeline", c.timeline}};
}

void to_json(nlohmann::json& j, const CustomerSummary& s) {
    j = {{"id", s.id}, {"name", s.name}, {"kind", s.kind}, {"status", s.status}, {"phones", s.phones}};
    put_opt(j, "grade", s.grade);
    put_opt(j, "source", s.source);
    put_opt(j, "last_contact_at", s.last_contact_at);
}

}  // namespace forecourt::model

namespace forecourt {

void to_json(nlohmann::json& j, const AgendaItem& i) {
    j = {{"customer_id", i.customer_id}, {"customer_name", i.customer_name}, {"phone", i.phone},
         {"grade", i.grade}, {"due", i.due}, {"days_overdue", i.days_overdue},
         {"rule", i.rule}, {"what", i.what}};
    if (!i.follow_up_id.empty()) j["follow_up_id"] = i.follow_up_id;
}

void to_json(nlohmann::json& j, const Agenda& a) {
    j = {{"day", a.day.to_string()}, {"follow_ups", a.follow_ups}, {"cadence", a.cadence},
         {"care", a.care}, {"total", a.size()}};
}

}  // namespace forecourt
