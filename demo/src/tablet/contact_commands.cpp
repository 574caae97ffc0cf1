// Tablet commands on the history with a customer: contacts, follow-ups, test
// drives and events.
#include <iostream>

#include "cli/output.hpp"
#include "forecourt/core/model/vocabulary.hpp"
#include "tablet/tablet_context.hpp"

namespace forecourt::cli {
namespace {

// The options a contact and a completed follow-up share.
void add_outcome_options(CLI::App* cmd, ContactInput& in) {
    cmd->add_option("--outcome", in.outcome, "what came of it, in a sentence");
    cmd->add_option("--notes", in.notes, "anything else worth keeping");
    cmd->add_option("--grade-after", in.grade_after,
                    "the prospect's grade after the contact (records a grade change): " +
                        one_of(model::grades()));
    cmd->add_option("--next", in.next_contact, "plan the next contact on YYYY-MM-DD");
}

void add_contact(CLI::App& tablet, const TabletContextPtr& context) {
    auto in = std::make_shared<ContactInput>();
    auto* cmd = tablet.add_subcommand("contact",
                                      "Record a contact with a customer (visit, call, "
                                      "walk-in...); prints the contact id");
    cmd->add_option("ID", in->customer_id, "customer id")->required();
    cmd->add_option("--kind", in->kind, one_of(model::contact_kinds()))->required();
    cmd->add_option("--purpose", in->purpose, one_of(model::contact_purposes()))->required();
    add_outcome_options(cmd, *in);
    on_book_run(cmd, context, [context, in]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_ASSIGN(auto id, book->record_contact(*in));
        std::cout << id << '\n';
        return ok_status();
    });
}

void add_plan(CLI::App& tablet, const TabletContextPtr& context) {
    auto in = std::make_shared<FollowUpInput>();
    auto* cmd = tablet.add_subcommand("plan",
                                      "Plan a follow-up (a contact with a due date); "
                                      "prints the follow-up id");
    cmd->add_option("ID", in->customer_id, "customer id")->required();
    cmd->add_option("--due", in->due, "due date YYYY-MM-DD")->required();
    cmd->add_option("--kind", in->kind, "default phone_call; " + one_of(model::contact_kinds()));
    cmd->add_option("--purpose", in->purpose,
                    "default keep_in_touch; " + one_of(model::contact_purposes()));
    cmd->add_option("--notes", in->notes, "what to prepare or say");
    on_book_run(cmd, context, [context, in]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_ASSIGN(auto id, book->plan_follow_up(*in));
        std::cout << id << '\n';
        return ok_status();
    });
}

void add_complete(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::string follow_up_id;
        ContactInput contact;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("complete",
                                      "Record the contact that fulfils a follow-up and "
                                      "close it; prints the contact id");
    cmd->add_option("FOLLOWUP_ID", args->follow_up_id, "follow-up id (shown by agenda and card)")
        ->required();
    cmd->add_option("--kind", args->contact.kind,
                    "if it went differently than planned: " + one_of(model::contact_kinds()));
    cmd->add_option("--purpose", args->contact.purpose,
                    "if not the planned one: " + one_of(model::contact_purposes()));
    add_outcome_options(cmd, args->contact);
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_ASSIGN(auto id, book->complete_follow_up(args->follow_up_id, args->contact));
        std::cout << id << '\n';
        return ok_status();
    });
}

void add_reschedule(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::string follow_up_id, due;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("reschedule", "Move an open follow-up to another day");
    cmd->add_option("FOLLOWUP_ID", args->follow_up_id, "follow-up id")->required();
    cmd->add_option("--due", args->due, "the new due date YYYY-MM-DD")->required();
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_TRY(book->reschedule_follow_up(args->follow_up_id, args->due));
        std::cout << "Follow-up now due " << args->due << '\n';
        return ok_status();
    });
}

void add_cancel(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::string follow_up_id, reason;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("cancel", "Cancel an open follow-up");
    cmd->add_option("FOLLOWUP_ID", args->follow_up_id, "follow-up id")->required();
    cmd->add_option("--reason", args->reason, "why it is no longer needed")->required();
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_TRY(book->cancel_follow_up(args->follow_up_id, args->reason));
        std::cout << "Follow-up cancelled\n";
        return ok_status();
    });
}

void add_test_drive(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        TestDriveInput drive;
        std::optional<int> minutes;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("test-drive",
                                      "Record a test drive (it also counts as a "
                                      "contact); prints the test drive id");
    cmd->add_option("ID", args->drive.customer_id, "customer id")->required();
    cmd->add_option("--model", args->drive.model, "the model driven")->required();
    cmd->add_flag("--licence-checked", args->drive.licence_checked,
                  "the driver's licence was checked");
    cmd->add_option("--minutes", args->minutes,
                    "how long the drive took; it is recorded as ending now");
    cmd->add_option("--feedback", args->drive.feedback, "what the customer said");
    cmd->add_option("--interest", args->drive.interest,
                    "interest level, 1 (none) to 5 (very keen)");
    cmd->add_option("--route", args->drive.route, "the route driven");
    cmd->add_option("--event", args->drive.event_id, "id of the test-drive event it was part of");
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        TestDriveInput drive = args->drive;
        if (args->minutes) {
            if (*args->minutes < 0)
                return make_error(ErrorCode::invalid_argument, "--minutes cannot be negative");
            drive.ended_at = book->clock().now_ms();
            drive.started_at = *drive.ended_at - platform::EpochMs{*args->minutes} * 60'000;
        }
        FC_ASSIGN(auto id, book->record_test_drive(drive));
        std::cout << id << '\n';
        return ok_status();
    });
}

void add_event(CLI::App& tablet, const TabletContextPtr& context) {
    auto in = std::make_shared<EventInput>();
    auto* cmd = tablet.add_subcommand("event",
                                      "Create a test-drive or marketing event; prints "
                                      "the event id");
    cmd->add_option("NAME", in->name, "the event's name")->required();
    cmd->add_option("--date", in->date, "YYYY-MM-DD")->required();
    cmd->add_option("--kind", in->kind, "default test_drive; " + one_of(model::event_kinds()));
    cmd->add_option("--location", in->location, "where it takes place");
    cmd->add_option("--model", in->models, "a model shown or driven; repeat for several");
    cmd->add_option("--notes", in->notes, "anything else");
    on_book_run(cmd, context, [context, in]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_ASSIGN(auto id, book->create_event(*in));
        std::cout << id << '\n';
        return ok_status();
    });
}

}  // namespace

void add_contact_commands(CLI::App& tablet, const TabletContextPtr& context) {
    add_contact(tablet, context);
    add_plan(tablet, context);
    add_complete(tablet, context);
    add_reschedule(tablet, context);
    add_cancel(tablet, context);
    add_test_drive(tablet, context);
    add_event(tablet, context);
}

}  // namespace forecourt::cli
