// The consultant's agenda for a day: planned follow-ups, cadence, base-customer care.
#include <algorithm>
#include <cstdio>

#include "forecourt/core/book.hpp"
#include "forecourt/core/model/vocabulary.hpp"

namespace forecourt {

using nlohmann::json;
using storage::Query;

namespace {

std::string first_phone(const std::optional<std::string>& phones_json) {
    auto phones = json::parse(phones_json.value_or("[]"), nullptr, false);
    if (phones.is_array() && !phones.empty() && phones[0].is_string()) return phones[0].get<std::string>();
    return {};
}

// The next anniversary of a birthday on or after `from` (29 Feb falls on 28 Feb
// in common years).
std::optional<model::Date> next_birthday(const std::string& birthday, model::Date from) {
    auto born = model::Date::parse(birthday);
    if (!born) return std::nullopt;
    for (int year : {from.year(), from.year() + 1}) {
        std::optional<model::Date> d;
        // Only 29 Feb can be missing in another year: then fall back to 28 Feb.
        for (unsigned day = born->day(); !d && day >= std::min(born->day(), 28u); --day) {
            char text[40];
            std::snprintf(text, sizeof text, "%04d-%02u-%02u", year, born->month(), day);
            d = model::Date::parse(text);
        }
        if (d && *d >= from) return d;
    }
    return std::nullopt;
}

void sort_items(std::vector<AgendaItem>& items) {
    std::stable_sort(items.begin(), items.end(), [](const AgendaItem& a, const AgendaItem& b) {
        if (a.days_overdue != b.days_overdue) return a.days_overdue > b.days_overdue;
        return a.customer_name < b.customer_name;
    });
}

}  // namespace

Result<Agenda> Book::agenda(model::Date day) {
    Agenda agenda;
    agenda.day = day;
    const int offset = clock_->utc_offset_minutes();
    // 1. Planned follow-ups due today or overdue.
    {
        FC_ASSIGN(auto q, Query::prepare(db_,
            "SELECT f.id, f.due, f.kind, f.purpose, c.id, c.name, c.phones, c.grade FROM follow_ups f "
            "JOIN customers c ON c.id = f.customer_id WHERE f.status = 'open' AND f.due <= ? ORDER BY f.due"));
        q->bind(1, day.to_string());
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            AgendaItem item;
            item.follow_up_id = q->text(0);
            item.due = q->text(1);
            item.what = std::string(model::contact_kinds().label(q->text(2))) + " — " +
                        std::string(model::contact_purposes().label(q->text(3)));
            item.customer_id = q->text(4);
            item.customer_name = q->text(5);
            item.phone = first_phone(q->opt_text(6));
            item.grade = q->opt_text(7).value_or("");
            item.rule = "follow_up";
            if (auto due = model::Date::parse(item.due)) item.days_overdue = due->days_until(day);
            agenda.follow_ups.push_back(std::move(item));
        }
    }
    // 2. Active prospects whose grade cadence says a contact is due, with none planned.
    {
        FC_ASSIGN(auto q, Query::prepare(db_,
            "SELECT c.id, c.name, c.phones, c.grade, c.next_visit, c.created_at, "
            "(SELECT max(at) FROM contacts WHERE customer_id = c.id) FROM customers c "
            "WHERE c.status = 'active' AND c.kind = 'prospect' AND NOT EXISTS "
            "(SELECT 1 FROM follow_ups f WHERE f.customer_id = c.id AND f.status = 'open')"));
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            const auto grade = q->opt_text(3).value_or("");
            const auto* rule = rules_->cadence_for(grade);
            if (!rule) continue;
            std::optional<model::Date> due;
            std::string why;
            if (auto nv = q->opt_text(4)) {
                due = model::Date::parse(*nv);
                why = "planned visit";
            }
            if (!due) {
                const auto last = q->opt_int64(6).value_or(q->int64(5));
                due = model::Date::of_instant(last, offset).plus_days(rule->every_days);
                why = std::string(rule->label) + (q->is_null(6) ? ", not contacted yet" : ", last contact " +
                      model::Date::of_instant(last, offset).to_string());
            }
            if (*due > day) continue;
            AgendaItem item;
            item.customer_id = q->text(0);
            item.customer_name = q->text(1);
            item.phone = first_phone(q->opt_text(2));
            item.grade = grade;
            item.due = due->to_string();
            item.days_overdue = due->days_until(day);
            item.rule = "cadence:" + grade;
            item.what = why;
            agenda.cadence.push_back(std::move(item));
        }
    }
    // 3. Base-customer care. CROSS JOIN makes vehicles drive the join (SQLite
    // keeps that order): only delivered customers own vehicles, and starting
    // from customers by status would read every active customer's row per rule.
    for (const auto& rule : rules_->care) {
        std::string sql;
        switch (rule.anchor) {
            case rules::CareAnchor::next_maintenance:
                sql = "SELECT c.id, c.name, c.phones, v.next_maintenance, v.model FROM vehicles v CROSS JOIN customers c ON c.id = v.customer_id WHERE v.next_maintenance IS NOT NULL";
                break;
            case rules::CareAnchor::insurance_expiry:
                sql = "SELECT c.id, c.name, c.phones, v.insurance_expiry, v.model FROM vehicles v CROSS JOIN customers c ON c.id = v.customer_id WHERE v.insurance_expiry IS NOT NULL";
                break;
            case rules::CareAnchor::delivery:
                sql = "SELECT c.id, c.name, c.phones, v.delivery_date, v.model FROM vehicles v CROSS JOIN customers c ON c.id = v.customer_id WHERE v.delivery_date IS NOT NULL";
                break;
            case rules::CareAnchor::birthday:
                sql = "SELECT c.id, c.name, c.phones, c.birthday, NULL FROM customers c WHERE c.birthday IS NOT NULL";
                break;
        }
        sql += " AND c.status IN ('active', 'won')";
        FC_ASSIGN(auto q, Query::prepare(db_, sql));
        struct Candidate { AgendaItem item; model::Date opens; };
        std::vector<Candidate> candidates;
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            std::optional<model::Date> anchor;
            if (rule.anchor == rules::CareAnchor::birthday)
                anchor = next_birthday(q->text(3), day.plus_days(-rule.grace_days));
            else
                anchor = model::Date::parse(q->text(3));
            if (!anchor) continue;
            const auto target = anchor->plus_days(rule.offset_days);
            const auto opens = target.plus_days(-rule.lead_days);
            if (day < opens || day > target.plus_days(rule.grace_days)) continue;
            AgendaItem item;
            item.customer_id = q->text(0);
            item.customer_name = q->text(1);
            item.phone = first_phone(q->opt_text(2));
            item.due = target.to_string();
            item.days_overdue = target.days_until(day);
            item.rule = "care:" + std::string(rule.kind);
            item.what = std::string(rule.label) + (q->is_null(4) ? "" : " — " + q->text(4));
            candidates.push_back({std::move(item), opens});
        }
        // Settled by a contact with the rule's purpose since the item opened.
        FC_ASSIGN(auto settled, Query::prepare(db_,
            "SELECT 1 FROM contacts WHERE customer_id = ? AND purpose = ? AND at >= ? LIMIT 1"));
        for (auto& c : candidates) {
            settled->bind(1, c.item.customer_id).bind(2, rule.purpose).bind(3, c.opens.start_ms(offset));
            FC_ASSIGN(bool done, settled->step());
            settled->reset();
            if (!done) agenda.care.push_back(std::move(c.item));
        }
    }
    sort_items(agenda.follow_ups);
    sort_items(agenda.cadence);
    sort_items(agenda.care);
    return agenda;
}

}  // namespace forecourt
