// The `forecourt server …` and `forecourt admin …` command groups: running a
// store server and administering its store.
#pragma once

#include <CLI/CLI.hpp>

namespace forecourt::cli {

// Adds `server` (init, run) to the application.
void register_server_commands(CLI::App& app);

// Adds `admin` (consultants, models, enrolment codes, devices, conflicts, review).
void register_admin_commands(CLI::App& app);

}  // namespace forecourt::cli
