// The consultant's agenda for a day: planned follow-ups, cadence, base-customer care.
#include <algorithm>
#include <cstdio>
#include <numeric>

#include "forecourt/core/book.hpp"
#include "forecourt/core/model/vocabulary.hpp"

namespace forecourt {

using nlohmann::json;
using storage::Query;

namespace {

std::string first_phone(const std::string& phones_json) {
    if (phones_json.empty()) return {};
    auto phones = json::parse(phones_json, nullptr, false);
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

// Most overdue first, then by name. Sorts positions and moves each item once:
// an item is nine strings, and a merge sort moving items would copy them
// n log n times.
void sort_items(std::vector<AgendaItem>& items) {
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        const auto& a = items[x];
        const auto& b = items[y];
        if (a.days_overdue != b.days_overdue) return a.days_overdue > b.days_overdue;
        return a.customer_name < b.customer_name;
    });
    std::vector<AgendaItem> sorted;
    sorted.reserve(items.size());
    for (const auto i : order) sorted.push_back(std::move(items[i]));
    items = std::move(sorted);
}

}  // namespace

namespace {

// The agenda walks the customers once in id order and merges in, from
// statements stepped alongside in the same order, each one's open follow-ups
// and vehicles: each table is read once, sequentially, from a covering index
// (migration 6). Probing indexes per prospect, per follow-up
// and per vehicle instead costs a B-tree descent each, deeper as the book
// grows, and the agenda touches most of the book.
class MergeCursor {
  public:
    static Result<MergeCursor> open(storage::Database& db, std::string_view sql) {
        FC_ASSIGN(auto q, Query::prepare(db, sql));
        MergeCursor cursor(std::move(q));
        FC_TRY(cursor.next());
        return cursor;
    }
    // Steps past every row whose customer id (column 0) sorts before `id`;
    // true when the current row then belongs to `id`.
    Result<bool> seek(std::string_view id) {
        while (live_ && q_->text_view(0) < id) FC_TRY(next());
        return live_ && q_->text_view(0) == id;
    }
    Status next() {
        FC_ASSIGN(live_, q_->step());
        return ok_status();
    }
    storage::Statement& row() { return *q_; }

  private:
    explicit MergeCursor(Query q) : q_(std::move(q)) {}
    Query q_;
    bool live_ = false;
};

struct CareCandidate {
    AgendaItem item;
    std::string_view purpose;  // the contact purpose that settles it
    model::Date opens;
};

}  // namespace

Result<Agenda> Book::agenda(model::Date day) {
    Agenda agenda;
    agenda.day = day;
    const int offset = clock_->utc_offset_minutes();
    const auto today = day.to_string();

    // Only prospects due by cadence with nothing planned need their last
    // contact: a probe of contacts_by_customer each (min/max optimisation)
    // reads less than walking every contact of the book.
    FC_ASSIGN(auto last_contact, Query::prepare(db_, "SELECT max(at) FROM contacts WHERE customer_id = ?"));
    FC_ASSIGN(auto follow_ups, MergeCursor::open(db_,
        "SELECT customer_id, due, kind, purpose, id FROM follow_ups "
        "WHERE status = 'open' AND customer_id IS NOT NULL ORDER BY customer_id, due"));
    FC_ASSIGN(auto vehicles, MergeCursor::open(db_,
        "SELECT customer_id, next_maintenance, insurance_expiry, delivery_date, model FROM vehicles "
        "INDEXED BY vehicles_for_agenda WHERE customer_id IS NOT NULL ORDER BY customer_id"));
    FC_ASSIGN(auto q, Query::prepare(db_,
        "SELECT id, status, kind, grade, next_visit, created_at, birthday, name, phones "
        "FROM customers INDEXED BY customers_for_agenda ORDER BY id"));

    struct Vehicle {
        std::optional<std::string> next_maintenance, insurance_expiry, delivery_date;
        std::string model;
    };
    std::vector<Vehicle> owned;
    std::vector<CareCandidate> care;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        const std::string_view id = q->text_view(0);  // valid until q steps
        const std::string_view status = q->text_view(1);
        const bool prospect = status == "active" && q->text_view(2) == "prospect";
        const bool open_for_care = status == "active" || status == "won";
        const std::string_view grade = q->text_view(3);

        std::optional<AgendaItem> base;  // who, filled in once the customer is due something
        auto item = [&]() {
            if (!base) {
                base.emplace();
                base->customer_id = std::string(id);
                base->customer_name = q->text(7);
                base->phone = first_phone(q->text(8));
            }
            return *base;
        };

        // 1. Planned follow-ups due today or overdue.
        FC_ASSIGN(bool planned, follow_ups.seek(id));
        for (bool more = planned; more;) {
            auto& f = follow_ups.row();
            if (f.text_view(1) > today) break;  // the rest are due later
            AgendaItem it = item();
            it.due = f.text(1);
            it.what = std::string(model::contact_kinds().label(f.text_view(2))) + " — " +
                      std::string(model::contact_purposes().label(f.text_view(3)));
            it.follow_up_id = f.text(4);
            it.grade = std::string(grade);
            it.rule = "follow_up";
            if (auto due = model::Date::parse(it.due)) it.days_overdue = due->days_until(day);
            agenda.follow_ups.push_back(std::move(it));
            FC_TRY(follow_ups.next());
            FC_ASSIGN(more, follow_ups.seek(id));
        }
        // 2. The grade's cadence, when nothing is planned.
        if (const auto* rule = prospect && !planned ? rules_->cadence_for(grade) : nullptr) {
            std::optional<model::Date> due;
            std::string why;
            if (!q->is_null(4)) {
                due = model::Date::parse(q->text_view(4));
                why = "planned visit";
            }
            if (!due) {
                last_contact->bind(1, id);
                FC_ASSIGN(bool contacted, last_contact->step());
                const auto latest = contacted ? last_contact->opt_int64(0) : std::nullopt;
                last_contact->reset();
                const bool never = !latest;
                const auto last = never ? q->opt_int64(5).value_or(0) : *latest;
                due = model::Date::of_instant(last, offset).plus_days(rule->every_days);
                why = std::string(rule->label) + (never ? ", not contacted yet" : ", last contact " +
                      model::Date::of_instant(last, offset).to_string());
            }
            if (*due <= day) {
                AgendaItem it = item();
                it.grade = std::string(grade);
                it.due = due->to_string();
                it.days_overdue = due->days_until(day);
                it.rule = "cadence:" + std::string(grade);
                it.what = why;
                agenda.cadence.push_back(std::move(it));
            }
        }
        // 3. Base-customer care, rule by rule: the birthday and the vehicles.
        if (!open_for_care) continue;
        owned.clear();
        FC_ASSIGN(bool has_vehicle, vehicles.seek(id));
        while (has_vehicle) {
            auto& v = vehicles.row();
            owned.push_back({v.opt_text(1), v.opt_text(2), v.opt_text(3), v.opt_text(4).value_or("")});
            FC_TRY(vehicles.next());
            FC_ASSIGN(has_vehicle, vehicles.seek(id));
        }
        const auto birthday = q->opt_text(6);
        if (owned.empty() && !birthday) continue;
        for (const auto& rule : rules_->care) {
            auto consider = [&](std::optional<model::Date> anchor, const std::string& detail) {
                if (!anchor) return;
                const auto target = anchor->plus_days(rule.offset_days);
                const auto opens = target.plus_days(-rule.lead_days);
                if (day < opens || day > target.plus_days(rule.grace_days)) return;
                AgendaItem it = item();
                it.due = target.to_string();
                it.days_overdue = target.days_until(day);
                it.rule = "care:" + std::string(rule.kind);
                it.what = std::string(rule.label) + (detail.empty() ? "" : " — " + detail);
                care.push_back({std::move(it), rule.purpose, opens});
            };
            if (rule.anchor == rules::CareAnchor::birthday) {
                if (birthday) consider(next_birthday(*birthday, day.plus_days(-rule.grace_days)), "");
                continue;
            }
            for (const auto& v : owned) {
                const std::optional<std::string>* date = nullptr;
                switch (rule.anchor) {
                    case rules::CareAnchor::next_maintenance: date = &v.next_maintenance; break;
                    case rules::CareAnchor::insurance_expiry: date = &v.insurance_expiry; break;
                    case rules::CareAnchor::delivery: date = &v.delivery_date; break;
                    case rules::CareAnchor::birthday: break;
                }
                if (date && *date) consider(model::Date::parse(**date), v.model);
            }
        }
    }
    // A care item is settled by a contact with the rule's purpose since it opened.
    FC_ASSIGN(auto settled, Query::prepare(db_,
        "SELECT 1 FROM contacts WHERE customer_id = ? AND purpose = ? AND at >= ? LIMIT 1"));
    for (auto& c : care) {
        settled->bind(1, c.item.customer_id).bind(2, c.purpose).bind(3, c.opens.start_ms(offset));
        FC_ASSIGN(bool done, settled->step());
        settled->reset();
        if (!done) agenda.care.push_back(std::move(c.item));
    }
    sort_items(agenda.follow_ups);
    sort_items(agenda.cadence);
    sort_items(agenda.care);
    return agenda;
}

}  // namespace forecourt
