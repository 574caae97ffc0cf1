// The CLI's exit codes (documented in docs/CLI.md) and how a command's Error
// becomes one: a message on stderr and a distinct status for scripts.
#pragma once

#include <functional>

#include "forecourt/core/result.hpp"

namespace forecourt::cli {

enum class ExitCode : int {
    ok = 0,
    failure = 1,        // anything not listed below
    usage = 2,          // the command line did not parse (unknown option, missing argument)
    not_found = 3,      // an id or a book that does not exist
    invalid_input = 4,  // a value was refused (bad code, bad date, duplicate phone)
    invalid_state = 5,  // the record's state does not allow it, or a conflict
    storage = 6,        // the book could not be read or written, or is damaged
    wrong_key = 7,      // the book's key or passphrase is wrong
    offline = 8,        // the store server could not be reached (try again later)
    refused = 9,        // the store server refused the tablet: bad or used code, token, revoked device
    server_identity = 10,  // the server's certificate is not the one the tablet pinned
};

ExitCode exit_code_for(const Error& error);

// Writes "forecourt: <message>" to stderr.
void report_error(const Error& error);

// Runs a command. On failure reports the error and ends the command line's
// processing with the error's exit code (as a CLI::RuntimeError, which main
// turns into the process's status).
void run_command(const std::function<Status()>& command);

}  // namespace forecourt::cli
