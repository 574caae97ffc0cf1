// Typed views of the consultant's records, as the API returns them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/platform/clock.hpp"

namespace forecourt::model {

struct Customer {
    std::string id;
    std::string owner_id;
    std::string kind;    // prospect | base
    std::string name;
    std::vector<std::string> phones;  // normalised
    std::optional<std::string> grade;
    std::string status;  // active | won | lost | archived
    std::optional<std::string> loss_reason;
    std::optional<std::string> loss_note;
    std::optional<std::string> source;
    std::optional<std::int64_t> budget;
    std::optional<std::string> payment_method;
    std::optional<std::string> trade_in;
    std::vector<std::string> models_of_interest;
    std::optional<std::string> birthday;
    std::optional<std::string> company;
    std::optional<std::string> address;
    std::optional<std::string> household_notes;
    std::optional<std::string> next_visit;
    platform::EpochMs created_at = 0;
    std::optional<platform::EpochMs> closed_at;
};

struct Vehicle {
    std::string id;
    std::string customer_id;
    std::string model;
    std::optional<std::string> vin, plate, colour, purchase_date, delivery_date;
    std::optional<std::int64_t> mileage;
    std::optional<std::string> insurance_expiry, next_maintenance;
};

struct Contact {
    std::string id;
    std::string customer_id;
    std::string consultant_id;
    platform::EpochMs at = 0;
    std::string kind;
    std::string purpose;
    std::optional<std::string> outcome, notes, grade_after, next_contact;
};

struct FollowUp {
    std::string id;
    std::string customer_id;
    std::string consultant_id;
    std::string due;
    std::string kind;
    std::string purpose;
    std::optional<std::string> notes;
    std::string status;  // open | done | cancelled
    std::optional<platform::EpochMs> closed_at;
    std::optional<std::string> contact_id, cancel_reason;
};

struct TestDrive {
    std::string id;
    std::string customer_id;
    std::string consultant_id;
    std::optional<std::string> event_id;
    std::string model;
    bool licence_checked = false;
    platform::EpochMs started_at = 0;
    std::optional<platform::EpochMs> ended_at;
    std::optional<std::string> route, feedback;
    std::optional<std::int64_t> interest;  // 1 (none) .. 5 (very keen)
};

struct GradeChange {
    std::string id;
    std::string customer_id;
    std::string consultant_id;
    platform::EpochMs at = 0;
    std::optional<std::string> from_grade;
    std::string to_grade;
    std::optional<std::string> reason;
};

struct Event {
    std::string id;
    std::string name;
    std::string kind;
    std::string date;
    std::optional<std::string> location, notes;
    std::vector<std::string> models;
};

// One line of a customer's history on the card, newest first.
struct TimelineEntry {
    platform::EpochMs at = 0;
    std::string type;     // contact | test_drive | grade_change | follow_up
    std::string id;
    std::string summary;  // one readable line
};

// The customer information card (客户信息卡): everything recorded about one customer.
struct CustomerCard {
    Customer customer;
    std::vector<Vehicle> vehicles;
    std::vector<FollowUp> follow_ups;  // open ones first, then by due date
    std::vector<Contact> contacts;     // newest first
    std::vector<TestDrive> test_drives;
    std::vector<GradeChange> grade_changes;
    std::vector<TimelineEntry> timeline;  // all of the above merged, newest first
};

struct CustomerSummary {
    std::string id;
    std::string name;
    std::string kind;
    std::optional<std::string> grade;
    std::string status;
    std::vector<std::string> phones;
    std::optional<std::string> source;
    std::optional<platform::EpochMs> last_contact_at;
};

void to_json(nlohmann::json& j, const Customer& c);
void to_json(nlohmann::json& j, const Vehicle& v);
void to_json(nlohmann::json& j, const Contact& c);
void to_json(nlohmann::json& j, const FollowUp& f);
void to_json(nlohmann::json& j, const TestDrive& t);
void to_json(nlohmann::json& j, const GradeChange& g);
void to_json(nlohmann::json& j, const Event& e);
void to_json(nlohmann::json& j, const TimelineEntry& t);
void to_json(nlohmann::json& j, const CustomerCard& c);
void to_json(nlohmann::json& j, const CustomerSummary& s);

}  // namespace forecourt::model
