// The `forecourt demo` command: a scripted consultant's day, printed readably.
#pragma once

#include <CLI/CLI.hpp>

namespace forecourt::cli {

void register_demo_command(CLI::App& app);

}  // namespace forecourt::cli
