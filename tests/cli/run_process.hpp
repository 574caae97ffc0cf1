// Runs a program to completion and captures what it printed and how it exited,
// for tests that drive the real forecourt binary.
#pragma once

#include <string>
#include <vector>

namespace forecourt::testing {

struct ProcessResult {
    int exit_code = -1;  // 128 + signal number if it was killed by a signal
    std::string out;     // everything written to stdout
    std::string err;     // everything written to stderr
};

// Runs `program` with `args` (no shell), with extra "NAME=value" entries in
// its environment; gives up and kills it after `timeout_seconds`.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::string>& extra_env = {}, int timeout_seconds = 60);

}  // namespace forecourt::testing
