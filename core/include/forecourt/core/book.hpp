// A consultant's book: the tablet's local replica of their prospects and base
// customers, with every operation they perform offline. Every write is one
// transaction (synchronous=FULL: when a call returns, the record survives a
// power cut) and is captured in the outbox for sync.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/agenda.hpp"
#include "forecourt/core/model/records.hpp"
#include "forecourt/core/result.hpp"
#include "forecourt/core/rules/agenda_rules.hpp"
#include "forecourt/core/storage/change_capture.hpp"
#include "forecourt/core/storage/database.hpp"

namespace forecourt {

struct BookOptions {
    std::string path;                                      // the book's database file
    const platform::Clock* clock = &platform::system_clock();
    const rules::AgendaRules* rules = &rules::AgendaRules::standard();
    std::string vfs;        // SQLite VFS to open the file with (empty: the OS default)
    int reserve_bytes = 0;  // per-page reserve to set when creating (for the encrypting VFS)
    // Keeps what `vfs` needs (e.g. an unlocked key) alive while the book is open.
    std::shared_ptr<void> vfs_session;
    storage::Synchronous synchronous = storage::Synchronous::full;
    // SQLite's page cache, in KiB (allocated as pages are read). 16 MiB holds
    // the customers, contacts and indexes a consultant's book reads daily, so
    // the agenda and cards read (and on an encrypted book, decrypt) each page
    // once per session rather than once per screen. 0 = SQLite's 2 MiB.
    int cache_kib = 16 * 1024;
};

struct NewBook {
    std::string consultant_name;
    std::string consultant_id;  // empty: a new id
    std::string store_id;       // empty: "local" until the tablet enrols
};

struct ProspectInput {
    std::string name;
    std::vector<std::string> phones;  // as typed; normalised on the way in
    std::string grade = "C";
    std::string source;
    std::vector<std::string> models_of_interest;
    std::optional<std::int64_t> budget;
    std::optional<std::string> payment_method, company, address, household_notes, birthday,
        next_visit;
    bool allow_duplicate_phone = false;  // register even if a phone is already in the book
};

struct ContactInput {
    std::string customer_id;
    std::string kind;
    std::string purpose;
    std::optional<std::string> outcome, notes;
    std::optional<std::string> grade_after;   // a grade change recorded with the contact
    std::optional<std::string> next_contact;  // plans a follow-up on that date
    std::optional<platform::EpochMs> at;      // default: now
};

struct FollowUpInput {
    std::string customer_id;
    std::string due;  // YYYY-MM-DD
    std::string kind = "phone_call";
    std::string purpose = "keep_in_touch";
    std::optional<std::string> notes;
};

struct TestDriveInput {
    std::string customer_id;
    std::string model;
    bool licence_checked = false;
    std::optional<platform::EpochMs> started_at;  // default: now
    std::optional<platform::EpochMs> ended_at;
    std::optional<std::string> event_id, route, feedback;
    std::optional<std::int64_t> interest;  // 1..5
};

struct VehicleInput {
    std::string model;
    std::optional<std::string> vin, plate, colour, purchase_date, delivery_date;
    std::optional<std::int64_t> mileage;
    std::optional<std::string> insurance_expiry, next_maintenance;
};

struct EventInput {
    std::string name;
    std::string kind = "test_drive";
    std::string date;
    std::optional<std::string> location, notes;
    std::vector<std::string> models;
};

struct ListFilter {
    std::optional<std::string> grade;
    std::optional<std::string> status;  // default: every status
    std::optional<std::string> kind;
    int limit = 1000;
};

// Who this book belongs to.
struct BookIdentity {
    std::string replica_id;     // this replica, for HLC tie-breaks and change ids
    std::string store_id;
    std::string consultant_id;
    std::string consultant_name;
};

class Book {
public:
    // Creates a new book at options.path; fails if one exists there.
    static Result<std::unique_ptr<Book>> create(const BookOptions& options, const NewBook& who);
    // Opens an existing book, upgrading its schema if it was written by an older version.
    static Result<std::unique_ptr<Book>> open(const BookOptions& options);
    ~Book();

    const BookIdentity& identity() const { return identity_; }
    // Reads the identity (store, consultant, replica) and the clock back from
    // the book, after something changed them in the database: enrolment
    // makes a book the store's.
    Status reload_identity() { return load_identity(); }
    model::Date today() const;

    // Prospects and customers
    Result<std::string> register_prospect(const ProspectInput& input);
    // Edits the customer information card: `changes` maps card fields to new
    // values (null clears). Grade, status and ownership have their own operations.
    Status edit_card(const std::string& customer_id, const nlohmann::json& changes);
    Status change_grade(const std::string& customer_id, const std::string& grade,
                        const std::string& reason);
    Status mark_won(const std::string& customer_id, const VehicleInput& vehicle);
    Status mark_lost(const std::string& customer_id, const std::string& reason,
                     const std::optional<std::string>& note);
    Result<std::string> add_vehicle(const std::string& customer_id, const VehicleInput& vehicle);

    // Contacts and follow-ups
    Result<std::string> record_contact(const ContactInput& input);
    Result<std::string> plan_follow_up(const FollowUpInput& input);
    // Records the contact that fulfils a follow-up and closes it; returns the contact id.
    Result<std::string> complete_follow_up(const std::string& follow_up_id, ContactInput contact);
    Status reschedule_follow_up(const std::string& follow_up_id, const std::string& due);
    Status cancel_follow_up(const std::string& follow_up_id, const std::string& reason);
    Result<std::string> record_test_drive(const TestDriveInput& input);
    Result<std::string> create_event(const EventInput& input);

    // Reading
    Result<model::Customer> customer(const std::string& id);
    Result<model::CustomerCard> card(const std::string& id);
    // By phone (any format, or 4+ trailing/inner digits) or by name prefix.
    Result<std::vector<model::CustomerSummary>> find(const std::string& text, int limit = 50);
    Result<std::vector<model::CustomerSummary>> list(const ListFilter& filter);
    Result<model::FollowUp> follow_up(const std::string& id);
    Result<Agenda> agenda(model::Date day);
    Result<std::vector<model::Event>> events();

    // For sync and tests
    storage::Database& db() { return db_; }
    storage::RecordStore& records() { return records_; }
    storage::ChangeCapture& changes() { return capture_; }
    HybridClock& hlc() { return hlc_; }
    const platform::Clock& clock() const { return *clock_; }

private:
    Book(storage::Database db, const BookOptions& options);
    Status load_identity();
    platform::EpochMs now() const { return clock_->now_ms(); }
    std::string new_id() const;
    // One write of a synced record, captured for sync.
    Status write(storage::Transaction& tx, std::string_view table, const std::string& id,
                 const nlohmann::json& fields);
    Result<model::Customer> require_customer(const std::string& id);
    Result<model::Customer> require_active_prospect(const std::string& id);
    Status insert_grade_change(storage::Transaction& tx, const model::Customer& c,
                               const std::string& to, const std::string& reason);
    Result<std::string> insert_contact(storage::Transaction& tx, const ContactInput& input);
    Result<std::string> insert_follow_up(storage::Transaction& tx, const FollowUpInput& input);
    Status validate_contact(const ContactInput& input);
    Result<nlohmann::json> vehicle_fields(const std::string& customer_id, const VehicleInput& v);
    Result<std::string> find_phone_owner(const std::string& phone);

    std::shared_ptr<void> vfs_session_;  // declared before db_: outlives the connection
    storage::Database db_;
    const platform::Clock* clock_;
    const rules::AgendaRules* rules_;
    HybridClock hlc_;
    storage::RecordStore records_;
    storage::ChangeCapture capture_;
    BookIdentity identity_;
};

}  // namespace forecourt
