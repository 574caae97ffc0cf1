// The sub-commands of forecourt-bench. Each benchmark registers itself from its
// own file, so adding one never touches main.cpp:
//   const Registration kRegistration{{"book", "what it measures", &configure_book}};
#pragma once

#include <functional>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace forecourt::bench {

// Options every sub-command takes (main.cpp adds them).
struct CommonOptions {
    bool json = false;   // one JSON object on stdout instead of the table
    bool quick = false;  // the small smoke run CI executes; a missed target does not fail it
};

// Runs the benchmark; returns the process exit code.
using Runner = std::function<int(const CommonOptions&)>;
// Adds the sub-command's own options to `command` and returns its runner.
using Configure = Runner (*)(CLI::App& command);

struct Benchmark {
    std::string_view name;
    std::string_view summary;
    Configure configure;
};

// Every registered benchmark, sorted by name.
std::vector<Benchmark> benchmarks();

// Registers a benchmark during static initialisation.
struct Registration {
    explicit Registration(Benchmark benchmark);
};

}  // namespace forecourt::bench
