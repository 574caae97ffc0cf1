// The tablet group: its --home option, `init`, and the command files it gathers.
#include "tablet/tablet_commands.hpp"

#include <iostream>

#include "forecourt/core/model/vocabulary.hpp"
#include "tablet/sync_commands.hpp"
#include "tablet/tablet_context.hpp"
#include "tablet/vault_commands.hpp"

namespace forecourt::cli {
namespace {

void add_init(CLI::App& tablet, const TabletContextPtr& context) {
    auto who = std::make_shared<NewBook>();
    auto* cmd = tablet.add_subcommand("init",
                                      "Create the consultant's book in the home directory "
                                      "(the directory is created if missing)");
    cmd->add_option("--consultant", who->consultant_name, "the consultant's name, e.g. 李娜")
        ->required();
    cmd->add_option("--store", who->store_id,
                    "the store's id (default: \"local\" until the tablet enrols with a store)");
    on_book_run(cmd, context, [context, who]() -> Status {
        FC_ASSIGN(auto book, create_book(context->session, *who));
        const auto& id = book->identity();
        std::cout << "Created the book of " << id.consultant_name << " in "
                  << book_file(context->session.home) << "\n  consultant id " << id.consultant_id
                  << "\n  store         " << id.store_id << '\n';
        return ok_status();
    });
}

}  // namespace

void require_home(const TabletContext& context) {
    // A CLI11 error, so a missing --home is reported like any other usage error.
    if (context.session.home.empty()) throw CLI::RequiredError("--home DIR (or FORECOURT_HOME)");
}

std::string one_of(const model::Vocabulary& vocabulary) {
    return "one of " + vocabulary.codes();
}

void register_tablet_commands(CLI::App& app) {
    auto context = std::make_shared<TabletContext>();
    auto* tablet = app.add_subcommand(
        "tablet", "A consultant's work on the tablet's local book (works offline)");
    tablet
        ->add_option("--home", context->session.home,
                     "directory of the consultant's book (book.db inside it); required by "
                     "every command but vocabulary")
        ->envname("FORECOURT_HOME");
    tablet->require_subcommand(1);
    // --home may also follow the command: `tablet agenda --home DIR`.
    tablet->fallthrough();
    add_init(*tablet, context);
    add_customer_commands(*tablet, context);
    add_contact_commands(*tablet, context);
    add_listing_commands(*tablet, context);
    add_sync_commands(*tablet, context);
    add_vault_commands(*tablet, context);
}

}  // namespace forecourt::cli
