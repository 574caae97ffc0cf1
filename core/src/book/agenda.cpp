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

struct OwnedVehicle {
    std::optional<std::string> next_maintenance, insurance_expiry, delivery_date;
    std::string model;
};

// The customer the walk is on: a row of the customers statement, and who to
// name on an item, filled in once the customer is due something.
class CustomerRow {
  public:
    explicit CustomerRow(storage::Statement& row) : row_(&row) {}
    std::string_view id() const { return row_->text_view(0); }  // valid until the walk steps
    std::string_view status() const { return row_->text_view(1); }
    bool prospect() const { return status() == "active" && row_->text_view(2) == "prospect"; }
    bool open_for_care() const { return status() == "active" || status() == "won"; }
    std::string_view grade() const { return row_->text_view(3); }
    std::optional<std::string_view> next_visit() const {
        return row_->is_null(4) ? std::nullopt : std::optional(row_->text_view(4));
    }
    platform::EpochMs created_at() const { return row_->opt_int64(5).value_or(0); }
    std::optional<std::string> birthday() const { return row_->opt_text(6); }

    AgendaItem item() {
        if (!base_) {
            base_.emplace();
            base_->customer_id = std::string(id());
            base_->customer_name = row_->text(7);
            base_->phone = first_phone(row_->text(8));
        }
        return *base_;
    }

  private:
    storage::Statement* row_;
    std::optional<AgendaItem> base_;
};

// One pass over the book for one day's agenda (see MergeCursor): the
// customers in id order, each one's due follow-ups, cadence and care.
class AgendaWalk {
  public:
    static Result<AgendaWalk> start(storage::Database& db, const rules::AgendaRules& rules,
                                    model::Date day, int utc_offset) {
        // Only prospects due by cadence with nothing planned need their last
        // contact: a probe of contacts_by_customer each (min/max optimisation)
        // reads less than walking every contact of the book.
        FC_ASSIGN(auto last_contact,
                  Query::prepare(db, "SELECT max(at) FROM contacts WHERE customer_id = ?"));
        FC_ASSIGN(auto follow_ups, MergeCursor::open(db,
            "SELECT customer_id, due, kind, purpose, id FROM follow_ups "
            "WHERE status = 'open' AND customer_id IS NOT NULL ORDER BY customer_id, due"));
        FC_ASSIGN(auto vehicles, MergeCursor::open(db,
            "SELECT customer_id, next_maintenance, insurance_expiry, delivery_date, model FROM vehicles "
            "INDEXED BY vehicles_for_agenda WHERE customer_id IS NOT NULL ORDER BY customer_id"));
        FC_ASSIGN(auto customers, Query::prepare(db,
            "SELECT id, status, kind, grade, next_visit, created_at, birthday, name, phones "
            "FROM customers INDEXED BY customers_for_agenda ORDER BY id"));
        return AgendaWalk(db, rules, day, utc_offset, std::move(last_contact), std::move(follow_ups),
                          std::move(vehicles), std::move(customers));
    }

    Result<Agenda> run() {
        for (;;) {
            FC_ASSIGN(bool row, customers_->step());
            if (!row) break;
            CustomerRow customer(*customers_);
            FC_ASSIGN(bool planned, follow_ups_due(customer));
            if (customer.prospect() && !planned) FC_TRY(cadence_due(customer));
            if (customer.open_for_care()) FC_TRY(care_due(customer));
        }
        FC_TRY(settle_care());
        sort_items(agenda_.follow_ups);
        sort_items(agenda_.cadence);
        sort_items(agenda_.care);
        return std::move(agenda_);
    }

  private:
    AgendaWalk(storage::Database& db, const rules::AgendaRules& rules, model::Date day, int offset,
               Query last_contact, MergeCursor follow_ups, MergeCursor vehicles, Query customers)
        : db_(&db), rules_(&rules), day_(day), today_(day.to_string()), offset_(offset),
          last_contact_(std::move(last_contact)), follow_ups_(std::move(follow_ups)),
          vehicles_(std::move(vehicles)), customers_(std::move(customers)) {
        agenda_.day = day;
    }

    // 1. Planned follow-ups due today or overdue. True when the customer has
    // any open follow-up, due or not: then the cadence does not ask for more.
    Result<bool> follow_ups_due(CustomerRow& customer) {
        FC_ASSIGN(bool planned, follow_ups_.seek(customer.id()));
        for (bool more = planned; more;) {
            auto& f = follow_ups_.row();
            if (f.text_view(1) > today_) break;  // the rest are due later
            AgendaItem it = customer.item();
            it.due = f.text(1);
            it.what = std::string(model::contact_kinds().label(f.text_view(2))) + " — " +
                      std::string(model::contact_purposes().label(f.text_view(3)));
            it.follow_up_id = f.text(4);
            it.grade = std::string(customer.grade());
            it.rule = "follow_up";
            if (auto due = model::Date::parse(it.due)) it.days_overdue = due->days_until(day_);
            agenda_.follow_ups.push_back(std::move(it));
            FC_TRY(follow_ups_.next());
            FC_ASSIGN(more, follow_ups_.seek(customer.id()));
        }
        return planned;
    }

    // 2. The grade's cadence, for a prospect with nothing planned: due on the
    // consultant's next-visit date, else the rule's interval after the last
    // contact (or after registration, if never contacted).
    Status cadence_due(CustomerRow& customer) {
        const auto* rule = rules_->cadence_for(customer.grade());
        if (!rule) return ok_status();
        std::optional<model::Date> due;
        std::string why;
        if (auto planned = customer.next_visit()) {
            due = model::Date::parse(*planned);
            why = "planned visit";
        }
        if (!due) {
            last_contact_->bind(1, customer.id());
            FC_ASSIGN(bool contacted, last_contact_->step());
            const auto latest = contacted ? last_contact_->opt_int64(0) : std::nullopt;
            last_contact_->reset();
            const auto last = latest.value_or(customer.created_at());
            due = model::Date::of_instant(last, offset_).plus_days(rule->every_days);
            why = std::string(rule->label) +
                  (latest ? ", last contact " + model::Date::of_instant(last, offset_).to_string()
                          : ", not contacted yet");
        }
        if (*due > day_) return ok_status();
        AgendaItem it = customer.item();
        it.grade = std::string(customer.grade());
        it.due = due->to_string();
        it.days_overdue = due->days_until(day_);
        it.rule = "cadence:" + std::string(customer.grade());
        it.what = why;
        agenda_.cadence.push_back(std::move(it));
        return ok_status();
    }

    // 3. Base-customer care, rule by rule: the birthday and the vehicles.
    Status care_due(CustomerRow& customer) {
        owned_.clear();
        FC_ASSIGN(bool has_vehicle, vehicles_.seek(customer.id()));
        while (has_vehicle) {
            auto& v = vehicles_.row();
            owned_.push_back({v.opt_text(1), v.opt_text(2), v.opt_text(3), v.opt_text(4).value_or("")});
            FC_TRY(vehicles_.next());
            FC_ASSIGN(has_vehicle, vehicles_.seek(customer.id()));
        }
        const auto birthday = customer.birthday();
        if (owned_.empty() && !birthday) return ok_status();
        for (const auto& rule : rules_->care) {
            if (rule.anchor == rules::CareAnchor::birthday) {
                if (birthday)
                    consider(customer, rule, next_birthday(*birthday, day_.plus_days(-rule.grace_days)), "");
                continue;
            }
            for (const auto& v : owned_) {
                const std::optional<std::string>* date = nullptr;
                switch (rule.anchor) {
                    case rules::CareAnchor::next_maintenance: date = &v.next_maintenance; break;
                    case rules::CareAnchor::insurance_expiry: date = &v.insurance_expiry; break;
                    case rules::CareAnchor::delivery: date = &v.delivery_date; break;
                    case rules::CareAnchor::birthday: break;
                }
                if (date && *date) consider(customer, rule, model::Date::parse(**date), v.model);
            }
        }
        return ok_status();
    }

    // A care rule anchored on `anchor` is a candidate while its window is open.
    void consider(CustomerRow& customer, const rules::CareRule& rule, std::optional<model::Date> anchor,
                  const std::string& detail) {
        if (!anchor) return;
        const auto target = anchor->plus_days(rule.offset_days);
        const auto opens = target.plus_days(-rule.lead_days);
        if (day_ < opens || day_ > target.plus_days(rule.grace_days)) return;
        AgendaItem it = customer.item();
        it.due = target.to_string();
        it.days_overdue = target.days_until(day_);
        it.rule = "care:" + std::string(rule.kind);
        it.what = std::string(rule.label) + (detail.empty() ? "" : " — " + detail);
        care_.push_back({std::move(it), rule.purpose, opens});
    }

    // A care item is settled by a contact with the rule's purpose since it opened.
    Status settle_care() {
        FC_ASSIGN(auto settled, Query::prepare(*db_,
            "SELECT 1 FROM contacts WHERE customer_id = ? AND purpose = ? AND at >= ? LIMIT 1"));
        for (auto& c : care_) {
            settled->bind(1, c.item.customer_id).bind(2, c.purpose).bind(3, c.opens.start_ms(offset_));
            FC_ASSIGN(bool done, settled->step());
            settled->reset();
            if (!done) agenda_.care.push_back(std::move(c.item));
        }
        return ok_status();
    }

    storage::Database* db_;
    const rules::AgendaRules* rules_;
    model::Date day_;
    std::string today_;
    int offset_;
    Query last_contact_;
    MergeCursor follow_ups_, vehicles_;
    Query customers_;
    std::vector<OwnedVehicle> owned_;  // the current customer's, reused
    std::vector<CareCandidate> care_;
    Agenda agenda_;
};

}  // namespace

Result<Agenda> Book::agenda(model::Date day) {
    FC_ASSIGN(auto walk, AgendaWalk::start(db_, *rules_, day, clock_->utc_offset_minutes()));
    return walk.run();
}

}  // namespace forecourt
