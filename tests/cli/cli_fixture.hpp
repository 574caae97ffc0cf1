// A temporary home and helpers to run `forecourt` against it, for the CLI suites.
#pragma once

#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "run_process.hpp"
#include "temp_dir.hpp"

namespace forecourt::testing {

inline ProcessResult run_forecourt(const std::vector<std::string>& args) {
    return run_process(FORECOURT_BIN, args);
}

// stdout without its trailing newline: what a script captures with $(...).
inline std::string first_line(const ProcessResult& r) {
    return r.out.substr(0, r.out.find('\n'));
}

inline nlohmann::json json_of(const ProcessResult& r) {
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE_FALSE(doc.is_discarded());
    return doc;
}

// Test books are encrypted, as every real book is, under this passphrase.
inline const std::string kTestPassphrase = "correct horse battery staple";

// The environment entry that hands a passphrase to the child process.
inline std::string passphrase_env(const std::string& passphrase = kTestPassphrase) {
    return "FORECOURT_PASSPHRASE=" + passphrase;
}

// A consultant's home directory with a fresh encrypted book in it.
class CliHome {
  public:
    CliHome() {
        auto r = tablet({"init", "--consultant", "李娜"});
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
    }
    const std::string& home() const { return home_; }
    std::string file(const std::string& name) const { return home_ + "/" + name; }

    // Runs `forecourt tablet --home HOME args…` with `env` added to the
    // child's environment (by default the book's passphrase).
    ProcessResult tablet(std::vector<std::string> args,
                         const std::vector<std::string>& env = {passphrase_env()}) const {
        args.insert(args.begin(), {"tablet", "--home", home_});
        return run_process(FORECOURT_BIN, args, env);
    }

    // Runs a tablet command that must succeed and returns its first line (an id).
    std::string ok(const std::vector<std::string>& args) const {
        auto r = tablet(args);
        INFO("forecourt tablet " << args.front() << "\nstdout: " << r.out << "\nstderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        return first_line(r);
    }

    std::string register_prospect(const std::string& name, const std::string& phone,
                                  const std::string& grade = "C") const {
        return ok({"register", name, "--phone", phone, "--source", "walk_in", "--grade", grade});
    }

  private:
    TempDir dir_;
    std::string home_ = dir_.file("home");
};

}  // namespace forecourt::testing
