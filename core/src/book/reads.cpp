// Reading the book: the customer card, search and lists.
#include <algorithm>

#include "forecourt/core/book.hpp"
#include "forecourt/core/model/vocabulary.hpp"
#include "forecourt/core/rules/phone.hpp"
#include "row_mapping.hpp"

namespace forecourt {

using nlohmann::json;
using storage::Query;

namespace {

constexpr std::string_view kSummaryColumns =
    "SELECT c.id, c.name, c.kind, c.grade, c.status, c.phones, c.source, "
    "(SELECT max(at) FROM contacts WHERE customer_id = c.id) FROM customers c ";

Result<std::vector<model::CustomerSummary>> summaries(Query& q) {
    std::vector<model::CustomerSummary> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        model::CustomerSummary s;
        s.id = q->text(0);
        s.name = q->text(1);
        s.kind = q->text(2);
        s.grade = q->opt_text(3);
        s.status = q->text(4);
        auto phones = json::parse(q->opt_text(5).value_or("[]"), nullptr, false);
        if (phones.is_array())
            for (const auto& p : phones)
                if (p.is_string()) s.phones.push_back(p.get<std::string>());
        s.source = q->opt_text(6);
        s.last_contact_at = q->opt_int64(7);
        out.push_back(std::move(s));
    }
    return out;
}

std::string contact_line(const model::Contact& c) {
    std::string s(model::contact_kinds().label(c.kind));
    s += " — ";
    s += model::contact_purposes().label(c.purpose);
    if (c.outcome) s += ": " + *c.outcome;
    if (c.grade_after) s += " (grade after: " + *c.grade_after + ")";
    return s;
}

void build_timeline(model::CustomerCard& card, int utc_offset) {
    auto& t = card.timeline;
    for (const auto& c : card.contacts) t.push_back({c.at, "contact", c.id, contact_line(c)});
    for (const auto& d : card.test_drives) {
        std::string s = "test drive of " + d.model + (d.licence_checked ? " (licence checked)" : " (licence NOT checked)");
        if (d.feedback) s += ": " + *d.feedback;
        t.push_back({d.started_at, "test_drive", d.id, s});
    }
    for (const auto& g : card.grade_changes) {
        std::string s = "grade " + g.from_grade.value_or("—") + " → " + g.to_grade;
        if (g.reason) s += ": " + *g.reason;
        t.push_back({g.at, "grade_change", g.id, s});
    }
    for (const auto& f : card.follow_ups) {
        const auto due = model::Date::parse(f.due);
        const auto at = f.closed_at.value_or(due ? due->start_ms(utc_offset) : 0);
        std::string s = "follow-up " + f.status + " (due " + f.due + "): " +
                        std::string(model::contact_kinds().label(f.kind)) + " — " +
                        std::string(model::contact_purposes().label(f.purpose));
        t.push_back({at, "follow_up", f.id, s});
    }
    std::stable_sort(t.begin(), t.end(), [](const auto& a, const auto& b) {
        return a.at != b.at ? a.at > b.at : a.id > b.id;
    });
}

}  // namespace

Result<model::CustomerCard> Book::card(const std::string& id) {
    model::CustomerCard card;
    FC_ASSIGN(card.customer, require_customer(id));
    {
        FC_ASSIGN(auto q, Query::prepare(db_, "SELECT id FROM vehicles WHERE customer_id = ? ORDER BY id"));
        q->bind(1, id);
        std::vector<std::string> ids;
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            ids.push_back(q->text(0));
        }
        for (const auto& v : ids) {
            FC_ASSIGN(auto row, records_.read(*model::find_table("vehicles"), v));
            if (row) card.vehicles.push_back(detail::vehicle_from_row(*row));
        }
    }
    {
        FC_ASSIGN(auto q, Query::prepare(db_,
            "SELECT id, consultant_id, due, kind, purpose, notes, status, closed_at, contact_id, cancel_reason "
            "FROM follow_ups WHERE customer_id = ? ORDER BY status <> 'open', due DESC"));
        q->bind(1, id);
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            card.follow_ups.push_back({q->text(0), id, q->text(1), q->text(2), q->text(3), q->text(4),
                                       q->opt_text(5), q->text(6), q->opt_int64(7), q->opt_text(8),
                                       q->opt_text(9)});
        }
    }
    {
        FC_ASSIGN(auto q, Query::prepare(db_,
            "SELECT id, consultant_id, at, kind, purpose, outcome, notes, grade_after, next_contact "
            "FROM contacts WHERE customer_id = ? ORDER BY at DESC, id DESC"));
        q->bind(1, id);
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            card.contacts.push_back({q->text(0), id, q->text(1), q->int64(2), q->text(3), q->text(4),
                                     q->opt_text(5), q->opt_text(6), q->opt_text(7), q->opt_text(8)});
        }
    }
    {
        FC_ASSIGN(auto q, Query::prepare(db_,
            "SELECT id, consultant_id, event_id, model, licence_checked, started_at, ended_at, route, "
            "feedback, interest FROM test_drives WHERE customer_id = ? ORDER BY started_at DESC, id DESC"));
        q->bind(1, id);
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            card.test_drives.push_back({q->text(0), id, q->text(1), q->opt_text(2), q->text(3),
                                        q->int64(4) != 0, q->int64(5), q->opt_int64(6), q->opt_text(7),
                                        q->opt_text(8), q->opt_int64(9)});
        }
    }
    {
        FC_ASSIGN(auto q, Query::prepare(db_,
            "SELECT id, consultant_id, at, from_grade, to_grade, reason FROM grade_changes "
            "WHERE customer_id = ? ORDER BY at DESC, id DESC"));
        q->bind(1, id);
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            card.grade_changes.push_back({q->text(0), id, q->text(1), q->int64(2), q->opt_text(3),
                                          q->text(4), q->opt_text(5)});
        }
    }
    build_timeline(card, clock_->utc_offset_minutes());
    return card;
}

Result<std::vector<model::CustomerSummary>> Book::find(const std::string& text, int limit) {
    std::string needle = text;
    needle.erase(0, needle.find_first_not_of(" \t"));
    needle.erase(needle.find_last_not_of(" \t") + 1);
    if (needle.empty()) return make_error(ErrorCode::invalid_argument, "give a name or a phone number to search for");
    if (limit <= 0) limit = 50;
    const std::string digits = rules::phone_digits(needle);
    const bool looks_like_phone =
        !digits.empty() && needle.find_first_not_of("0123456789+-() .") == std::string::npos;
    if (looks_like_phone) {
        if (auto phone = rules::normalize_phone(needle); phone.ok()) {
            FC_ASSIGN(auto q, Query::prepare(db_, std::string(kSummaryColumns) +
                "WHERE c.id IN (SELECT customer_id FROM customer_phones WHERE phone = ?) ORDER BY c.name LIMIT ?"));
            q->bind(1, *phone).bind(2, limit);
            return summaries(q);
        }
        if (digits.size() < 4)
            return make_error(ErrorCode::invalid_argument, "give at least 4 digits to search by part of a phone number");
        FC_ASSIGN(auto q, Query::prepare(db_, std::string(kSummaryColumns) +
            "WHERE c.id IN (SELECT customer_id FROM customer_phones WHERE instr(phone, ?) > 0) "
            "ORDER BY c.name LIMIT ?"));
        q->bind(1, digits).bind(2, limit);
        return summaries(q);
    }
    // Name prefix as an index range: name >= prefix AND name < prefix + U+10FFFF.
    FC_ASSIGN(auto q, Query::prepare(db_, std::string(kSummaryColumns) +
        "WHERE c.name >= ?1 AND c.name < ?1 || char(1114111) ORDER BY c.name LIMIT ?2"));
    q->bind(1, needle).bind(2, limit);
    return summaries(q);
}

Result<std::vector<model::CustomerSummary>> Book::list(const ListFilter& f) {
    if (f.grade) FC_TRY(model::grades().check(*f.grade));
    if (f.status) FC_TRY(model::customer_statuses().check(*f.status));
    if (f.kind) FC_TRY(model::customer_kinds().check(*f.kind));
    FC_ASSIGN(auto q, Query::prepare(db_, std::string(kSummaryColumns) +
        "WHERE (?1 IS NULL OR c.grade = ?1) AND (?2 IS NULL OR c.status = ?2) AND (?3 IS NULL OR c.kind = ?3) "
        "ORDER BY CASE c.grade WHEN 'O' THEN 0 WHEN 'H' THEN 1 WHEN 'A' THEN 2 WHEN 'B' THEN 3 WHEN 'C' THEN 4 ELSE 5 END, "
        "c.name LIMIT ?4"));
    q->bind(1, f.grade).bind(2, f.status).bind(3, f.kind).bind(4, f.limit > 0 ? f.limit : 1000);
    return summaries(q);
}

Result<std::vector<model::Event>> Book::events() {
    FC_ASSIGN(auto q, Query::prepare(db_, "SELECT id, name, kind, date, location, notes, models FROM events ORDER BY date DESC"));
    std::vector<model::Event> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        model::Event e{q->text(0), q->text(1), q->text(2), q->text(3), q->opt_text(4), q->opt_text(5), {}};
        auto models = json::parse(q->opt_text(6).value_or("[]"), nullptr, false);
        if (models.is_array())
            for (const auto& m : models)
                if (m.is_string()) e.models.push_back(m.get<std::string>());
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace forecourt
