// Typed records from record-store rows.
#include "row_mapping.hpp"

namespace forecourt::detail {

using nlohmann::json;

namespace {

std::vector<std::string> strings(const json& row, const char* key) {
    auto it = row.find(key);
    if (it == row.end() || !it->is_array()) return {};
    return it->get<std::vector<std::string>>();
}

}  // namespace

model::Customer customer_from_row(const json& row) {
    model::Customer c;
    c.id = row.value("id", "");
    c.owner_id = row.value("owner_id", "");
    c.kind = opt<std::string>(row, "kind").value_or("prospect");
    c.name = opt<std::string>(row, "name").value_or("");
    c.phones = strings(row, "phones");
    c.grade = opt<std::string>(row, "grade");
    c.status = opt<std::string>(row, "status").value_or("active");
    c.loss_reason = opt<std::string>(row, "loss_reason");
    c.loss_note = opt<std::string>(row, "loss_note");
    c.source = opt<std::string>(row, "source");
    c.budget = opt<std::int64_t>(row, "budget");
    c.payment_method = opt<std::string>(row, "payment_method");
    c.trade_in = opt<std::string>(row, "trade_in");
    c.models_of_interest = strings(row, "models_of_interest");
    c.birthday = opt<std::string>(row, "birthday");
    c.company = opt<std::string>(row, "company");
    c.address = opt<std::string>(row, "address");
    c.household_notes = opt<std::string>(row, "household_notes");
    c.next_visit = opt<std::string>(row, "next_visit");
    c.created_at = opt<std::int64_t>(row, "created_at").value_or(0);
    c.closed_at = opt<std::int64_t>(row, "closed_at");
    return c;
}

model::Vehicle vehicle_from_row(const json& row) {
    model::Vehicle v;
    v.id = row.value("id", "");
    v.customer_id = opt<std::string>(row, "customer_id").value_or("");
    v.model = opt<std::string>(row, "model").value_or("");
    v.vin = opt<std::string>(row, "vin");
    v.plate = opt<std::string>(row, "plate");
    v.colour = opt<std::string>(row, "colour");
    v.purchase_date = opt<std::string>(row, "purchase_date");
    v.delivery_date = opt<std::string>(row, "delivery_date");
    v.mileage = opt<std::int64_t>(row, "mileage");
    v.insurance_expiry = opt<std::string>(row, "insurance_expiry");
    v.next_maintenance = opt<std::string>(row, "next_maintenance");
    return v;
}

model::FollowUp follow_up_from_row(const json& row) {
    model::FollowUp f;
    f.id = row.value("id", "");
    f.customer_id = opt<std::string>(row, "customer_id").value_or("");
    f.consultant_id = opt<std::string>(row, "consultant_id").value_or("");
    f.due = opt<std::string>(row, "due").value_or("");
    f.kind = opt<std::string>(row, "kind").value_or("");
    f.purpose = opt<std::string>(row, "purpose").value_or("");
    f.notes = opt<std::string>(row, "notes");
    f.status = opt<std::string>(row, "status").value_or("open");
    f.closed_at = opt<std::int64_t>(row, "closed_at");
    f.contact_id = opt<std::string>(row, "contact_id");
    f.cancel_reason = opt<std::string>(row, "cancel_reason");
    return f;
}

}  // namespace forecourt::detail
