// Maps the product's error vocabulary onto the CLI's exit codes.
#include "cli/exit_status.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

namespace forecourt::cli {

ExitCode exit_code_for(const Error& error) {
    switch (error.code) {
        case ErrorCode::not_found:
            return ExitCode::not_found;
        case ErrorCode::invalid_argument:
        case ErrorCode::already_exists:
        case ErrorCode::limit_exceeded:
            return ExitCode::invalid_input;
        case ErrorCode::invalid_state:
        case ErrorCode::conflict:
            return ExitCode::invalid_state;
        case ErrorCode::tampered:
            // From the sync transport it means the server presented another
            // certificate than the pinned one; elsewhere, a damaged book.
            return error.domain == ErrorDomain::sync ? ExitCode::server_identity : ExitCode::storage;
        case ErrorCode::storage:
        case ErrorCode::corrupt:
        case ErrorCode::schema_too_new:
            return ExitCode::storage;
        case ErrorCode::offline:
            return ExitCode::offline;
        case ErrorCode::unauthorized:
        case ErrorCode::forbidden:
        case ErrorCode::revoked:
            return ExitCode::refused;
        case ErrorCode::wrong_key:
            return ExitCode::wrong_key;
        default:
            return ExitCode::failure;
    }
}

void report_error(const Error& error) {
    // Unexpected failures carry their domain and code, which support needs.
    const bool expected = exit_code_for(error) != ExitCode::failure;
    std::cerr << "forecourt: " << (expected ? error.message : error.describe()) << '\n';
}

void run_command(const std::function<Status()>& command) {
    Status status = command();
    std::cout.flush();
    if (status.ok()) return;
    report_error(status.error());
    throw CLI::RuntimeError(static_cast<int>(exit_code_for(status.error())));
}

}  // namespace forecourt::cli
