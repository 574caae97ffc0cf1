// The store's standard cadence and care rules.
#include "forecourt/core/rules/agenda_rules.hpp"

namespace forecourt::rules {

const AgendaRules& AgendaRules::standard() {
    static const AgendaRules rules{
        {
            {"O", 7, "O: weekly until delivery"},
            {"H", 1, "H: daily"},
            {"A", 7, "A: weekly"},
            {"B", 15, "B: twice a month"},
            {"C", 30, "C: monthly"},
        },
        {
            {"maintenance_due", CareAnchor::next_maintenance, 0, 14, 14, "maintenance_reminder",
             "maintenance due (保养提醒)"},
            {"insurance_renewal", CareAnchor::insurance_expiry, 0, 30, 0, "insurance_renewal",
             "insurance expiring (续保提醒)"},
            {"birthday", CareAnchor::birthday, 0, 7, 0, "birthday_greeting", "birthday greeting"},
            {"delivery_check", CareAnchor::delivery, 3, 0, 7, "delivery_callback",
             "new-car usage check, 3 days after delivery"},
            {"first_month_callback", CareAnchor::delivery, 30, 0, 7, "delivery_callback",
             "first-month callback after delivery"},
        },
    };
    return rules;
}

const CadenceRule* AgendaRules::cadence_for(std::string_view grade) const {
    for (const auto& rule : cadence)
        if (rule.grade == grade) return &rule;
    return nullptr;
}

}  // namespace forecourt::rules
