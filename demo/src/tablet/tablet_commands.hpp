// The `forecourt tablet …` command group: a consultant's work on their local book.
#pragma once

#include <CLI/CLI.hpp>

namespace forecourt::cli {

// Adds `tablet` and its subcommands to the application.
void register_tablet_commands(CLI::App& app);

}  // namespace forecourt::cli
