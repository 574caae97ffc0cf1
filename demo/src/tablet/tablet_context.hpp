// What the tablet command files share: the group's options (--home), how a
// command opens the book, and how each file adds its commands to the group.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/book_session.hpp"
#include "cli/exit_status.hpp"

namespace forecourt::cli {

struct TabletContext {
    SessionOptions session;
    Result<std::unique_ptr<Book>> open() const { return open_book(session); }
};
using TabletContextPtr = std::shared_ptr<const TabletContext>;

// Refuses the command line, as a usage error, when no home directory was given.
void require_home(const TabletContext& context);

// Makes `command` run `action` (a callable returning Status) once the whole
// command line has parsed, so group options such as --home are already set.
template <typename Action>
void on_run(CLI::App* command, Action action) {
    command->callback([action] { run_command(action); });
}

// The same, for a command that works on the book: it needs --home.
template <typename Action>
void on_book_run(CLI::App* command, const TabletContextPtr& context, Action action) {
    command->callback([context, action] {
        require_home(*context);
        run_command(action);
    });
}

// "one of O, H, A, B, C": for option descriptions.
std::string one_of(const model::Vocabulary& vocabulary);

void add_customer_commands(CLI::App& tablet, const TabletContextPtr& context);
void add_contact_commands(CLI::App& tablet, const TabletContextPtr& context);
void add_listing_commands(CLI::App& tablet, const TabletContextPtr& context);

}  // namespace forecourt::cli
