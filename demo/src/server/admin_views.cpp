// Tables of consultants, tablets, conflicts and the review queue.
#include "server/admin_views.hpp"

#include <iostream>

#include "cli/output.hpp"

namespace forecourt::cli {
namespace {

using nlohmann::json;

std::string text_of(const json& value) {
    if (value.is_null()) return "—";
    if (value.is_string()) return value.get<std::string>();
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string when(const json& at, int utc_offset_minutes) {
    if (!at.is_number_integer()) return "—";
    return local_date_time(at.get<platform::EpochMs>(), utc_offset_minutes);
}

std::string when(const json& at) { return when(at, platform::system_clock().utc_offset_minutes()); }

void print_or_none(std::ostream& out, const Table& table, const char* none) {
    if (table.empty()) out << "  " << none << '\n';
    else table.print(out);
}

void print_or_none(const Table& table, const char* none) { print_or_none(std::cout, table, none); }

}  // namespace

void show_consultants(const json& listed) {
    Table table({"ID", "NAME", "PHONE", "ROLE", "ACTIVE"});
    for (const auto& c : listed["consultants"])
        table.add_row({text_of(c["id"]), text_of(c["name"]), text_of(c.value("phone", json())),
                       text_of(c["role"]), c.value("active", false) ? "yes" : "no"});
    print_or_none(table, "no consultants yet");
}

void show_devices(const json& listed) {
    Table table({"DEVICE", "NAME", "CONSULTANT", "STATUS", "ACKED", "CURSOR", "LAST SEEN"});
    for (const auto& d : listed["devices"])
        table.add_row({text_of(d["id"]), text_of(d["name"]), text_of(d["consultant_id"]),
                       text_of(d["status"]), text_of(d["acked_seq"]), text_of(d["cursor"]),
                       when(d.value("last_seen_at", json()))});
    print_or_none(table, "no tablets enrolled");
}

void show_conflicts(const json& listed) {
    print_conflicts(std::cout, listed, platform::system_clock().utc_offset_minutes());
}

void print_conflicts(std::ostream& out, const json& listed, int utc_offset_minutes) {
    Table table({"AT", "TABLE", "RECORD", "FIELD", "KEPT", "OVERWRITTEN", "DEVICE"});
    for (const auto& c : listed["conflicts"])
        table.add_row({when(c["at"], utc_offset_minutes), text_of(c["table"]),
                       text_of(c["record_id"]), text_of(c["field"]), text_of(c["winner"]["value"]),
                       text_of(c["loser"]["value"]), text_of(c["device_id"])});
    print_or_none(out, table, "no conflicts");
}

void show_review(const json& listed) {
    Table table({"AT", "DEVICE", "REASON", "TABLE", "RECORD", "APPLIED"});
    for (const auto& r : listed["review"])
        table.add_row({when(r["at"]), text_of(r["device_id"]), text_of(r["reason"]),
                       text_of(r["table"]), text_of(r["record_id"]),
                       r.value("applied", false) ? "yes" : "no"});
    print_or_none(table, "nothing to review");
}

}  // namespace forecourt::cli
