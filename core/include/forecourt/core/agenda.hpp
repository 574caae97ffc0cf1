// The consultant's day: what must be done today, from the cadence and care rules.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/model/date.hpp"

namespace forecourt {

struct AgendaItem {
    std::string customer_id;
    std::string customer_name;
    std::string phone;           // first phone, if any
    std::string grade;           // empty for base customers
    std::string due;             // YYYY-MM-DD
    int days_overdue = 0;        // negative: due in that many days
    std::string rule;            // "follow_up", "cadence:H", "care:birthday", ...
    std::string what;            // readable: "phone call — promote the deal"
    std::string follow_up_id;    // for planned follow-ups
};

struct Agenda {
    model::Date day;
    std::vector<AgendaItem> follow_ups;  // planned, due today or overdue
    std::vector<AgendaItem> cadence;     // prospects due a contact with none planned
    std::vector<AgendaItem> care;        // base-customer care due
    std::size_t size() const { return follow_ups.size() + cadence.size() + care.size(); }
};

void to_json(nlohmann::json& j, const AgendaItem& item);
void to_json(nlohmann::json& j, const Agenda& agenda);

}  // namespace forecourt
