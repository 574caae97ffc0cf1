// The follow-up cadence per grade and the base-customer care rules, as data:
// the agenda is computed from these tables, not from scattered conditionals.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace forecourt::rules {

// How often a prospect of a grade must be contacted.
struct CadenceRule {
    std::string_view grade;
    int every_days;
    std::string_view label;  // "H: daily"
};

// What a care item is anchored to.
enum class CareAnchor {
    next_maintenance,  // vehicles.next_maintenance
    insurance_expiry,  // vehicles.insurance_expiry
    birthday,          // customers.birthday, its next anniversary
    delivery,          // vehicles.delivery_date (+ offset_days)
};

// A care item is due from (anchor + offset − lead_days) to (anchor + offset +
// grace_days), unless a contact with `purpose` was recorded since it opened.
struct CareRule {
    std::string_view kind;     // "maintenance_due"
    CareAnchor anchor;
    int offset_days;
    int lead_days;
    int grace_days;
    std::string_view purpose;  // the contact purpose that settles it
    std::string_view label;    // "maintenance due (保养提醒)"
};

struct AgendaRules {
    std::vector<CadenceRule> cadence;
    std::vector<CareRule> care;

    // The store's standard rules (DOMAIN.md): O weekly, H daily, A weekly,
    // B twice a month, C monthly; maintenance within 14 days, insurance within
    // 30 days, birthdays within 7 days, callbacks 3 and 30 days after delivery.
    static const AgendaRules& standard();
    const CadenceRule* cadence_for(std::string_view grade) const;
};

}  // namespace forecourt::rules
