// Tablet commands that read the book: agenda, card, find, list, events, outbox
// and vocabulary; each prints a table, or JSON with --json.
#include <iostream>

#include "cli/output.hpp"
#include "cli/views.hpp"
#include "forecourt/core/model/vocabulary.hpp"
#include "tablet/tablet_context.hpp"

namespace forecourt::cli {
namespace {

void add_json_flag(CLI::App* cmd, bool& json_output) {
    cmd->add_flag("--json", json_output, "print JSON for scripts instead of a table");
}

void add_agenda(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::optional<std::string> date;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("agenda",
                                      "What is due on a day: planned follow-ups, "
                                      "prospects due by their grade's cadence, and "
                                      "base-customer care");
    cmd->add_option("--date", args->date, "the day YYYY-MM-DD (default: today)");
    add_json_flag(cmd, args->json);
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        auto day = book->today();
        if (args->date) {
            auto parsed = model::Date::parse(*args->date);
            if (!parsed)
                return make_error(ErrorCode::invalid_argument,
                                  "--date must be a date YYYY-MM-DD (got '" + *args->date + "')");
            day = *parsed;
        }
        FC_ASSIGN(auto agenda, book->agenda(day));
        if (args->json)
            print_json(std::cout, agenda);
        else
            print_agenda(std::cout, agenda);
        return ok_status();
    });
}

void add_card(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::string id;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("card",
                                      "The customer information card: details, vehicles, "
                                      "open follow-ups and the full history");
    cmd->add_option("ID", args->id, "customer id")->required();
    add_json_flag(cmd, args->json);
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_ASSIGN(auto card, book->card(args->id));
        if (args->json)
            print_json(std::cout, card);
        else
            print_card(std::cout, card, book->clock().utc_offset_minutes());
        return ok_status();
    });
}

void add_find(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::string text;
        int limit = 50;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("find",
                                      "Find customers by phone (any format, or 4+ digits "
                                      "of it) or by the start of their name");
    cmd->add_option("TEXT", args->text, "a phone number, part of one, or a name")->required();
    cmd->add_option("--limit", args->limit, "at most this many (default 50)");
    add_json_flag(cmd, args->json);
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_ASSIGN(auto found, book->find(args->text, args->limit));
        if (args->json)
            print_json(std::cout, found);
        else
            print_customers(std::cout, found, book->clock().utc_offset_minutes());
        return ok_status();
    });
}

void add_list(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        ListFilter filter;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("list", "List the book's customers, hottest grade first");
    cmd->add_option("--grade", args->filter.grade, one_of(model::grades()));
    cmd->add_option("--status", args->filter.status, one_of(model::customer_statuses()));
    cmd->add_option("--kind", args->filter.kind, one_of(model::customer_kinds()));
    cmd->add_option("--limit", args->filter.limit, "at most this many (default 1000)");
    add_json_flag(cmd, args->json);
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_ASSIGN(auto customers, book->list(args->filter));
        if (args->json)
            print_json(std::cout, customers);
        else
            print_customers(std::cout, customers, book->clock().utc_offset_minutes());
        return ok_status();
    });
}

void add_events(CLI::App& tablet, const TabletContextPtr& context) {
    auto json_output = std::make_shared<bool>(false);
    auto* cmd =
        tablet.add_subcommand("events", "List test-drive and marketing events, newest first");
    add_json_flag(cmd, *json_output);
    on_book_run(cmd, context, [context, json_output]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_ASSIGN(auto events, book->events());
        if (*json_output)
            print_json(std::cout, events);
        else
            print_events(std::cout, events);
        return ok_status();
    });
}

void add_outbox(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        int limit = 50;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("outbox",
                                      "Changes recorded on this tablet that the store "
                                      "server has not acknowledged yet (for support)");
    cmd->add_option("--limit", args->limit, "show at most this many, oldest first (default 50)");
    add_json_flag(cmd, args->json);
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        OutboxView outbox;
        FC_ASSIGN(outbox.pending, book->changes().pending_count());
        FC_ASSIGN(outbox.oldest, book->changes().pending(0, args->limit > 0 ? args->limit : 50));
        if (args->json)
            print_json(std::cout, outbox_json(outbox));
        else
            print_outbox(std::cout, outbox, book->clock().utc_offset_minutes());
        return ok_status();
    });
}

void add_vocabulary(CLI::App& tablet) {
    auto json_output = std::make_shared<bool>(false);
    auto* cmd = tablet.add_subcommand("vocabulary",
                                      "The valid codes with their labels: grades, "
                                      "sources, contact kinds and purposes, loss "
                                      "reasons, statuses...");
    add_json_flag(cmd, *json_output);
    on_run(cmd, [json_output]() -> Status {
        if (*json_output)
            print_json(std::cout, vocabulary_json());
        else
            print_vocabulary(std::cout);
        return ok_status();
    });
}

}  // namespace

void add_listing_commands(CLI::App& tablet, const TabletContextPtr& context) {
    add_agenda(tablet, context);
    add_card(tablet, context);
    add_find(tablet, context);
    add_list(tablet, context);
    add_events(tablet, context);
    add_outbox(tablet, context);
    add_vocabulary(tablet);
}

}  // namespace forecourt::cli
