// forecourt-bench: runs one of the registered benchmarks, chosen by sub-command.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <iostream>

#include "registry.hpp"

namespace forecourt::bench {
namespace {

// A function-local static, so registrations from other files' static
// initialisers never run before the list exists.
std::vector<Benchmark>& registry() {
    static std::vector<Benchmark> all;
    return all;
}

}  // namespace

Registration::Registration(Benchmark benchmark) {
    registry().push_back(benchmark);
}

std::vector<Benchmark> benchmarks() {
    auto all = registry();
    std::sort(all.begin(), all.end(),
              [](const Benchmark& a, const Benchmark& b) { return a.name < b.name; });
    return all;
}

}  // namespace forecourt::bench

int main(int argc, char** argv) {
    using namespace forecourt::bench;
    CLI::App app{
        "forecourt-bench: Forecourt's benchmarks. Each sub-command prints a table of "
        "figures and ratios measured in one run, or one JSON object with --json."};
    app.require_subcommand(1);
    CommonOptions common;
    std::vector<std::pair<CLI::App*, Runner>> commands;
    for (const auto& benchmark : benchmarks()) {
        auto* command =
            app.add_subcommand(std::string(benchmark.name), std::string(benchmark.summary));
        command->add_flag("--json", common.json,
                          "print one JSON object with every figure and ratio");
        command->add_flag(
            "--quick", common.quick,
            "small smoke run (what CI executes): reports misses but never fails on them");
        commands.emplace_back(command, benchmark.configure(*command));
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;  // --help is a success; a usage error is exit status 2
    }
    try {
        for (auto& [command, run] : commands)
            if (command->parsed()) return run(common);
    } catch (const std::exception& e) {
        std::cerr << "forecourt-bench: " << e.what() << '\n';
        return 2;
    }
    return 2;
}
