// Contacts, follow-ups, test drives and events: the consultant's history with a customer.
#include "forecourt/core/book.hpp"
#include "forecourt/core/model/vocabulary.hpp"
#include "input_checks.hpp"
#include "row_mapping.hpp"

namespace forecourt {

using nlohmann::json;
using storage::Transaction;

using detail::check_date;
using detail::check_text;
using detail::opt_json;

Status Book::validate_contact(const ContactInput& in) {
    FC_TRY(model::contact_kinds().check(in.kind));
    FC_TRY(model::contact_purposes().check(in.purpose));
    if (in.grade_after) FC_TRY(model::grades().check(*in.grade_after));
    if (in.next_contact) FC_TRY(check_date("next contact", *in.next_contact));
    FC_TRY(check_text("outcome", in.outcome));
    FC_TRY(check_text("notes", in.notes));
    return ok_status();
}

Result<std::string> Book::insert_contact(Transaction& tx, const ContactInput& in) {
    FC_ASSIGN(auto c, require_customer(in.customer_id));
    if (in.grade_after && (c.kind != "prospect" || c.status != "active"))
        return make_error(ErrorCode::invalid_state,
                          "a grade after the contact applies to active prospects only; " + c.name +
                              " is " + c.status);
    const std::string id = new_id();
    json fields = {{"customer_id", c.id},       {"consultant_id", identity_.consultant_id},
                   {"at", in.at.value_or(now())}, {"kind", in.kind},
                   {"purpose", in.purpose},     {"outcome", opt_json(in.outcome)},
                   {"notes", opt_json(in.notes)}, {"grade_after", opt_json(in.grade_after)},
                   {"next_contact", opt_json(in.next_contact)}};
    FC_TRY(write(tx, "contacts", id, fields));
    if (in.grade_after && c.grade != in.grade_after)
        FC_TRY(insert_grade_change(tx, c, *in.grade_after, "after " + in.kind));
    // The consultant-set visit date is consumed by the contact; the cadence takes over.
    if (c.next_visit) FC_TRY(write(tx, "customers", c.id, {{"next_visit", nullptr}}));
    if (in.next_contact) {
        const std::string purpose = c.kind == "prospect" ? "promote_deal" : "keep_in_touch";
        FC_ASSIGN(auto follow_up_id,
                  insert_follow_up(tx, FollowUpInput{c.id, *in.next_contact, "phone_call", purpose,
                                                     std::nullopt}));
        (void)follow_up_id;
    }
    return id;
}

Result<std::string> Book::record_contact(const ContactInput& input) {
    FC_TRY(validate_contact(input));
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_ASSIGN(auto id, insert_contact(tx, input));
    FC_TRY(tx.commit());
    return id;
}

Result<std::string> Book::insert_follow_up(Transaction& tx, const FollowUpInput& in) {
    const std::string id = new_id();
    json fields = {{"customer_id", in.customer_id}, {"consultant_id", identity_.consultant_id},
                   {"due", in.due},   {"kind", in.kind}, {"purpose", in.purpose},
                   {"notes", opt_json(in.notes)}, {"status", "open"}};
    FC_TRY(write(tx, "follow_ups", id, fields));
    return id;
}

Result<std::string> Book::plan_follow_up(const FollowUpInput& in) {
    FC_TRY(check_date("due date", in.due));
    FC_TRY(model::contact_kinds().check(in.kind));
    FC_TRY(model::contact_purposes().check(in.purpose));
    FC_TRY(check_text("notes", in.notes));
    FC_ASSIGN(auto c, require_customer(in.customer_id));
    if (c.status == "lost" || c.status == "archived")
        return make_error(ErrorCode::invalid_state, c.name + " is " + c.status + "; reactivate before planning");
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_ASSIGN(auto id, insert_follow_up(tx, in));
    FC_TRY(tx.commit());
    return id;
}

Result<model::FollowUp> Book::follow_up(const std::string& id) {
    FC_ASSIGN(auto row, records_.read(*model::find_table("follow_ups"), id));
    if (!row) return make_error(ErrorCode::not_found, "no follow-up with id '" + id + "' in this book");
    return detail::follow_up_from_row(*row);
}

Result<std::string> Book::complete_follow_up(const std::string& follow_up_id, ContactInput contact) {
    FC_ASSIGN(auto f, follow_up(follow_up_id));
    if (f.status != "open")
        return make_error(ErrorCode::invalid_state, "follow-up " + follow_up_id + " is already " + f.status);
    contact.customer_id = f.customer_id;
    if (contact.kind.empty()) contact.kind = f.kind;
    if (contact.purpose.empty()) contact.purpose = f.purpose;
    FC_TRY(validate_contact(contact));
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_ASSIGN(auto contact_id, insert_contact(tx, contact));
    FC_TRY(write(tx, "follow_ups", f.id,
                 {{"status", "done"}, {"closed_at", now()}, {"contact_id", contact_id}}));
    FC_TRY(tx.commit());
    return contact_id;
}

Status Book::reschedule_follow_up(const std::string& follow_up_id, const std::string& due) {
    FC_TRY(check_date("due date", due));
    FC_ASSIGN(auto f, follow_up(follow_up_id));
    if (f.status != "open")
        return make_error(ErrorCode::invalid_state, "follow-up " + follow_up_id + " is already " + f.status);
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_TRY(write(tx, "follow_ups", f.id, {{"due", due}}));
    return tx.commit();
}

Status Book::cancel_follow_up(const std::string& follow_up_id, const std::string& reason) {
    if (reason.empty()) return make_error(ErrorCode::invalid_argument, "a reason is required to cancel a follow-up");
    FC_TRY(check_text("reason", reason));
    FC_ASSIGN(auto f, follow_up(follow_up_id));
    if (f.status != "open")
        return make_error(ErrorCode::invalid_state, "follow-up " + follow_up_id + " is already " + f.status);
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_TRY(write(tx, "follow_ups", f.id,
                 {{"status", "cancelled"}, {"closed_at", now()}, {"cancel_reason", reason}}));
    return tx.commit();
}

Result<std::string> Book::record_test_drive(const TestDriveInput& in) {
    if (in.model.empty()) return make_error(ErrorCode::invalid_argument, "the vehicle model is required");
    if (in.interest && (*in.interest < 1 || *in.interest > 5))
        return make_error(ErrorCode::invalid_argument, "interest is 1 (none) to 5 (very keen)");
    const auto started = in.started_at.value_or(now());
    if (in.ended_at && *in.ended_at < started)
        return make_error(ErrorCode::invalid_argument, "a test drive cannot end before it starts");
    FC_TRY(check_text("feedback", in.feedback));
    FC_TRY(check_text("route", in.route));
    FC_ASSIGN(auto c, require_customer(in.customer_id));
    if (in.event_id) {
        FC_ASSIGN(auto ev, records_.versions(*model::find_table("events"), *in.event_id));
        if (!ev) return make_error(ErrorCode::not_found, "no event with id '" + *in.event_id + "'");
    }
    const std::string id = new_id();
    json fields = {{"customer_id", c.id},     {"consultant_id", identity_.consultant_id},
                   {"event_id", opt_json(in.event_id)}, {"model", in.model},
                   {"licence_checked", in.licence_checked}, {"started_at", started},
                   {"ended_at", opt_json(in.ended_at)}, {"route", opt_json(in.route)},
                   {"feedback", opt_json(in.feedback)}, {"interest", opt_json(in.interest)}};
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_TRY(write(tx, "test_drives", id, fields));
    // A test drive is also a contact: it counts for the grade cadence.
    ContactInput contact{c.id, "test_drive", "raise_certainty", std::nullopt,
                         "test drive: " + in.model, std::nullopt, std::nullopt, started};
    FC_ASSIGN(auto contact_id, insert_contact(tx, contact));
    (void)contact_id;
    FC_TRY(tx.commit());
    return id;
}

Result<std::string> Book::create_event(const EventInput& in) {
    if (in.name.empty()) return make_error(ErrorCode::invalid_argument, "the event name is required");
    FC_TRY(model::event_kinds().check(in.kind));
    FC_TRY(check_date("event date", in.date));
    FC_TRY(check_text("event name", in.name));
    FC_TRY(check_text("location", in.location));
    FC_TRY(check_text("notes", in.notes));
    const std::string id = new_id();
    json fields = {{"name", in.name}, {"kind", in.kind}, {"date", in.date},
                   {"location", opt_json(in.location)}, {"models", in.models},
                   {"notes", opt_json(in.notes)}};
    FC_ASSIGN(auto tx, Transaction::begin(db_));
    FC_TRY(write(tx, "events", id, fields));
    FC_TRY(tx.commit());
    return id;
}

}  // namespace forecourt
