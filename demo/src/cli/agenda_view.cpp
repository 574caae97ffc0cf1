// The agenda on a terminal: follow-ups, cadence and care, each with how overdue it is.
#include <string>

#include "cli/output.hpp"
#include "cli/views.hpp"

namespace forecourt::cli {
namespace {

std::string grade_or_base(const std::string& grade) {
    return grade.empty() ? "base customer" : grade_text(grade);
}

void print_items(std::ostream& out, const std::string& title, const std::vector<AgendaItem>& items,
                 bool follow_ups) {
    print_section(out, title + " (" + std::to_string(items.size()) + ")");
    if (items.empty()) {
        out << "  nothing due\n";
        return;
    }
    Table table({"when", "due", "customer", "grade", "phone", "what",
                 follow_ups ? "follow-up id" : "customer id"});
    for (const auto& item : items)
        table.add_row({overdue_text(item.days_overdue), item.due, item.customer_name,
                       grade_or_base(item.grade), item.phone.empty() ? "—" : item.phone, item.what,
                       follow_ups ? item.follow_up_id : item.customer_id});
    table.print(out);
}

}  // namespace

void print_agenda(std::ostream& out, const Agenda& agenda) {
    out << "Agenda for " << day_with_weekday(agenda.day) << ": " << agenda.size()
        << (agenda.size() == 1 ? " thing" : " things") << " to do\n";
    print_items(out, "Follow-ups due or overdue", agenda.follow_ups, true);
    print_items(out, "Prospects due a contact by their grade's cadence", agenda.cadence, false);
    print_items(out, "Care for base customers", agenda.care, false);
}

}  // namespace forecourt::cli
