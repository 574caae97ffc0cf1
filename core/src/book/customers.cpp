// Prospects and base customers: registering, editing the card, grades, won and lost.
#include <algorithm>
#include <array>

#include "forecourt/core/book.hpp"
#include "forecourt/core/model/vocabulary.hpp"
#include "forecourt/core/rules/phone.hpp"
#include "input_checks.hpp"
#include "row_mapping.hpp"

namespace forecourt {

using nlohmann::json;
using storage::Query;
using storage::Transaction;

using detail::check_date;
using detail::check_text;
using detail::opt_json;

namespace {

Result<std::vector<std::string>> normalize_phones(const std::vector<std::string>& raw) {
    std::vector<std::string> out;
    for (const auto& p : raw) {
        FC_ASSIGN(auto phone, rules::normalize_phone(p));
        if (std::find(out.begin(), out.end(), phone) == out.end()) out.push_back(phone);
    }
    return out;
}

}  // namespace

Result<model::Customer> Book::customer(const std::string& id) { return require_customer(id); }

Result<model::Customer> Book::require_customer(const std::string& id) {
    FC_ASSIGN(auto row, records_.read(*model::find_table("customers"), id));
    if (!row) return make_error(ErrorCode::not_found, "no customer with id '" + id + "' in this book");
    return detail::customer_from_row(*row);
}

Result<model::Customer> Book::require_active_prospect(const std::string& id) {
    FC_ASSIGN(auto c, require_customer(id));
    if (c.kind != "prospect" || c.status != "active")
        return make_error(ErrorCode::invalid_state,
                          c.name + " is " + (c.kind == "base" ? "a base customer" : c.status) +
                              ", not an active prospect");
    return c;
}

Result<std::string> Book::find_phone_owner(const std::string& phone) {
    FC_ASSIGN(auto q, Query::prepare(db_, "SELECT p.customer_id, c.name FROM customer_phones p "
                                          "JOIN customers c ON c.id = p.customer_id WHERE p.phone = ? LIMIT 1"));
    q->bind(1, phone);
    FC_ASSIGN(bool row, q->step());
    if (!row) return std::string();
    return q->text(1) + " (" + q->text(0) + ")";
}

Result<std::string> Book::register_prospect(const ProspectInput& in) {
    FC_TRY(check_text("name", in.name, true));
    FC_TRY(model::grades().check(in.grade));
    if (in.grade == "O")
        return make_error(ErrorCode::invalid_argument,
                          "a new prospect cannot start at grade O; register at H/A/B/C and change the grade when the order is signed");
    if (in.source.empty())
        return make_error(ErrorCode::invalid_argument,
                          "source is required (one of " + model::sources().codes() + ")");
    FC_TRY(model::sources().check(in.source));
    if (in.payment_method) FC_TRY(model::payment_methods().check(*in.payment_method));
    if (in.budget && *in.budget < 0) return make_error(ErrorCode::invalid_argument, "budget cannot be negative");
    FC_TRY(check_date("birthday", in.birthday));
    FC_TRY(check_date("next visit", in.next_visit));
    for (const auto& [what, text] : {std::pair{"company", &in.company}, {"address", &in.address},
                                     {"household notes", &in.household_notes}})
        FC_TRY(check_text(what, *text));
    FC_ASSIGN(auto phones, normalize_phones(in.phones));
    if (!in.allow_duplicate_phone) {
        for (const auto& p : phones) {
            FC_ASSIGN(auto owner, find_phone_owner(p));
            if (!owner.empty())
                return make_error(ErrorCode::already_exists,
                                  "phone " + p + " already belongs to " + owner +
                                      "; record a contact with that customer, or register anyway if it is a different person");
        }
    }
    const std::string id = new_id();
    json fields = {{"kind", "prospect"},         {"name", in.name},
                   {"phones", phones},           {"grade", in.grade},
                   {"status", "active"},         {"source", in.source},
                   {"models_of_interest", in.models_of_interest},
                   {"budget", opt_json(in.budget)}, {"payment_method", opt_json(in.payment_method)},
                   {"company", opt_json(in.company)}, {"address", opt_json(in.address)},
                   {"household_notes", opt_json(in.household_notes)},
                   {"birthday", opt_json(in.birthday)}, {"next_visit", opt_json(in.next_visit)},
                   {"created_at", now()}};
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_TRY(write(tx, "customers", id, fields));
    model::Customer created;
    created.id = id;
    FC_TRY(insert_grade_change(tx, created, in.grade, "registered (" + in.source + ")"));
    FC_TRY(tx.commit());
    return id;
}

Status Book::edit_card(const std::string& customer_id, const json& changes) {
    static constexpr std::array kEditable{"name",    "phones",   "source",  "budget",
                                          "payment_method", "trade_in", "models_of_interest",
                                          "birthday", "company", "address", "household_notes",
                                          "next_visit"};
    if (!changes.is_object() || changes.empty())
        return make_error(ErrorCode::invalid_argument, "nothing to change: give field = value pairs");
    FC_ASSIGN(auto c, require_customer(customer_id));
    json fields = json::object();
    const auto* spec = model::find_table("customers");
    for (const auto& [key, value] : changes.items()) {
        if (std::find(kEditable.begin(), kEditable.end(), key) == kEditable.end()) {
            std::string hint = key == "grade" ? "; use change-grade"
                               : key == "status" ? "; use won / lost"
                                                  : "";
            return make_error(ErrorCode::invalid_argument,
                              "'" + key + "' is not an editable card field" + hint);
        }
        FC_TRY(storage::validate_field_value(*spec->field(key), value));
        if (key == "name" && (value.is_null() || value.get<std::string>().empty()))
            return make_error(ErrorCode::invalid_argument, "name cannot be empty");
        if (key == "source" && !value.is_null()) FC_TRY(model::sources().check(value.get<std::string>()));
        if (key == "payment_method" && !value.is_null())
            FC_TRY(model::payment_methods().check(value.get<std::string>()));
        if (key == "budget" && value.is_number_integer() && value.get<std::int64_t>() < 0)
            return make_error(ErrorCode::invalid_argument, "budget cannot be negative");
        if ((key == "birthday" || key == "next_visit") && !value.is_null())
            FC_TRY(check_date(key, value.get<std::string>()));
        if (value.is_string()) FC_TRY(check_text(key, value.get<std::string>()));
        if (key == "phones") {
            FC_ASSIGN(auto phones, normalize_phones(value.is_null() ? std::vector<std::string>{}
                                                                      : value.get<std::vector<std::string>>()));
            fields[key] = phones;
        } else {
            fields[key] = value;
        }
    }
    (void)c;
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_TRY(write(tx, "customers", customer_id, fields));
    return tx.commit();
}

Status Book::insert_grade_change(Transaction& tx, const model::Customer& c, const std::string& to,
                                 const std::string& reason) {
    json fields = {{"customer_id", c.id}, {"consultant_id", identity_.consultant_id},
                   {"at", now()},         {"from_grade", opt_json(c.grade)},
                   {"to_grade", to},      {"reason", reason}};
    FC_TRY(write(tx, "grade_changes", new_id(), fields));
    return write(tx, "customers", c.id, {{"grade", to}});
}

Status Book::change_grade(const std::string& customer_id, const std::string& grade,
                          const std::string& reason) {
    FC_TRY(model::grades().check(grade));
    if (reason.empty())
        return make_error(ErrorCode::invalid_argument,
                          "a reason is required for a grade change (the manager reviews them)");
    FC_TRY(check_text("reason", reason));
    FC_ASSIGN(auto c, require_active_prospect(customer_id));
    if (c.grade == grade)
        return make_error(ErrorCode::invalid_state, c.name + " is already grade " + grade);
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_TRY(insert_grade_change(tx, c, grade, reason));
    return tx.commit();
}

namespace {

// A VIN (ISO 3779): 17 characters, digits and capital letters but I, O and Q
// (too easily read as 1 and 0). Typed in lower case, it is stored in capitals.
Result<std::string> normalize_vin(const std::string& typed) {
    std::string vin = typed;
    for (auto& ch : vin)
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (vin.size() != 17)
        return make_error(ErrorCode::invalid_argument, "a VIN has 17 characters (got '" + typed + "')");
    for (const char ch : vin) {
        const bool digit = ch >= '0' && ch <= '9';
        const bool letter = ch >= 'A' && ch <= 'Z' && ch != 'I' && ch != 'O' && ch != 'Q';
        if (!digit && !letter)
            return make_error(ErrorCode::invalid_argument,
                              "a VIN has only digits and the letters A-Z except I, O and Q (got '" + typed +
                                  "')");
    }
    return vin;
}

}  // namespace

Result<json> Book::vehicle_fields(const std::string& customer_id, const VehicleInput& v) {
    FC_TRY(check_text("vehicle model", v.model, true));
    for (const auto& [what, date] : {std::pair{"purchase date", &v.purchase_date},
                                     {"delivery date", &v.delivery_date},
                                     {"insurance expiry", &v.insurance_expiry},
                                     {"next maintenance", &v.next_maintenance}})
        FC_TRY(check_date(what, *date));
    for (const auto& [what, text] : {std::pair{"plate", &v.plate}, {"colour", &v.colour}})
        FC_TRY(check_text(what, *text));
    if (v.mileage && *v.mileage < 0) return make_error(ErrorCode::invalid_argument, "mileage cannot be negative");
    std::optional<std::string> vin;
    if (v.vin) {
        FC_ASSIGN(vin, normalize_vin(*v.vin));
    }
    return json{{"customer_id", customer_id}, {"model", v.model},
                {"vin", opt_json(vin)}, {"plate", opt_json(v.plate)},
                {"colour", opt_json(v.colour)}, {"purchase_date", opt_json(v.purchase_date)},
                {"delivery_date", opt_json(v.delivery_date)}, {"mileage", opt_json(v.mileage)},
                {"insurance_expiry", opt_json(v.insurance_expiry)},
                {"next_maintenance", opt_json(v.next_maintenance)}};
}

Result<std::string> Book::add_vehicle(const std::string& customer_id, const VehicleInput& v) {
    FC_ASSIGN(auto c, require_customer(customer_id));
    FC_ASSIGN(auto fields, vehicle_fields(c.id, v));
    const std::string id = new_id();
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_TRY(write(tx, "vehicles", id, fields));
    FC_TRY(tx.commit());
    return id;
}

Status Book::mark_won(const std::string& customer_id, const VehicleInput& vehicle) {
    FC_ASSIGN(auto c, require_active_prospect(customer_id));
    FC_ASSIGN(auto fields, vehicle_fields(c.id, vehicle));
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_TRY(write(tx, "vehicles", new_id(), fields));
    FC_TRY(write(tx, "customers", c.id,
                 {{"kind", "base"}, {"status", "won"}, {"closed_at", now()}, {"next_visit", nullptr}}));
    return tx.commit();
}

Status Book::mark_lost(const std::string& customer_id, const std::string& reason,
                       const std::optional<std::string>& note) {
    if (reason.empty())
        return make_error(ErrorCode::invalid_argument,
                          "a loss reason is required (one of " + model::loss_reasons().codes() + ")");
    FC_TRY(model::loss_reasons().check(reason));
    FC_TRY(check_text("note", note));
    FC_ASSIGN(auto c, require_active_prospect(customer_id));
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_TRY(write(tx, "customers", c.id,
                 {{"status", "lost"}, {"loss_reason", reason}, {"loss_note", opt_json(note)},
                  {"closed_at", now()}, {"next_visit", nullptr}}));
    // A lost prospect needs no more planned contacts.
    FC_ASSIGN(auto q, Query::prepare(db_, "SELECT id FROM follow_ups WHERE customer_id = ? AND status = 'open'"));
    q->bind(1, c.id);
    std::vector<std::string> open;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        open.push_back(q->text(0));
    }
    for (const auto& f : open)
        FC_TRY(write(tx, "follow_ups", f,
                     {{"status", "cancelled"}, {"closed_at", now()}, {"cancel_reason", "prospect lost"}}));
    return tx.commit();
}

}  // namespace forecourt
