// The forecourt command line. Each command group registers itself; main only
// parses and turns the outcome into the process's exit status.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/exit_status.hpp"
#include "server/server_commands.hpp"
#include "story/demo_command.hpp"
#include "tablet/tablet_commands.hpp"

namespace {

using forecourt::cli::ExitCode;

// Help and --version exit 0, a command's own failure keeps its status, and
// every other CLI11 error is a usage error.
int status_of(CLI::App& app, const CLI::ParseError& error) {
    if (error.get_name() == "RuntimeError") return error.get_exit_code();
    return app.exit(error) == 0 ? 0 : static_cast<int>(ExitCode::usage);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Forecourt: the offline-first field-sales book of a car dealership's consultants",
                 "forecourt"};
    app.set_version_flag("--version", FC_VERSION);
    app.footer(
        "Exit codes: 0 ok, 1 other failure, 2 usage, 3 not found, 4 invalid input, "
        "5 invalid state, 6 storage, 7 wrong key, 8 store server unreachable, 9 refused by the "
        "store server, 10 store server not the pinned one. See docs/CLI.md.");
    app.require_subcommand(1);
    forecourt::cli::register_tablet_commands(app);
    forecourt::cli::register_server_commands(app);
    forecourt::cli::register_admin_commands(app);
    forecourt::cli::register_demo_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        return status_of(app, error);
    } catch (const std::exception& error) {
        std::cerr << "forecourt: unexpected failure: " << error.what() << '\n';
        return static_cast<int>(ExitCode::failure);
    }
    return static_cast<int>(ExitCode::ok);
}
