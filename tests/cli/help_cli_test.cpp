// Every command explains itself with --help, and usage mistakes exit 2.
#include <doctest/doctest.h>

#include "cli_fixture.hpp"

using namespace forecourt::testing;

namespace {

struct HelpCase {
    std::vector<std::string> command;
    std::vector<std::string> mentions;  // options and words its help must show
};

const std::vector<HelpCase> kHelpCases = {
    {{}, {"tablet", "demo", "Exit codes"}},
    {{"tablet"}, {"--home", "FORECOURT_HOME", "register", "agenda", "outbox", "vocabulary"}},
    {{"tablet", "init"}, {"--consultant", "--store"}},
    {{"tablet", "register"},
     {"NAME", "--phone", "--source", "walk_in", "--grade", "--model", "--budget", "--company",
      "--address", "--notes", "--birthday", "--allow-duplicate"}},
    {{"tablet", "edit"}, {"ID", "--set", "null", "models_of_interest"}},
    {{"tablet", "grade"}, {"GRADE", "O, H, A, B, C", "--reason"}},
    {{"tablet", "contact"},
     {"--kind", "phone_call", "--purpose", "promote_deal", "--outcome", "--notes", "--grade-after",
      "--next"}},
    {{"tablet", "plan"}, {"--due", "--kind", "--purpose", "--notes"}},
    {{"tablet", "complete"}, {"FOLLOWUP_ID", "--outcome", "--notes", "--grade-after", "--next"}},
    {{"tablet", "reschedule"}, {"FOLLOWUP_ID", "--due"}},
    {{"tablet", "cancel"}, {"FOLLOWUP_ID", "--reason"}},
    {{"tablet", "test-drive"},
     {"--model", "--licence-checked", "--minutes", "--feedback", "--interest", "--event"}},
    {{"tablet", "won"},
     {"--model", "--vin", "--plate", "--colour", "--delivery", "--insurance-expiry",
      "--next-maintenance"}},
    {{"tablet", "lost"}, {"--reason", "price", "competitor", "--note"}},
    {{"tablet", "vehicle"}, {"--model", "--vin", "--next-maintenance"}},
    {{"tablet", "event"}, {"NAME", "--date", "--kind", "--location", "--model"}},
    {{"tablet", "agenda"}, {"--date", "--json"}},
    {{"tablet", "card"}, {"ID", "--json"}},
    {{"tablet", "find"}, {"TEXT", "--json"}},
    {{"tablet", "list"}, {"--grade", "--status", "--kind", "--json"}},
    {{"tablet", "events"}, {"--json"}},
    {{"tablet", "outbox"}, {"--limit", "--json"}},
    {{"tablet", "vocabulary"}, {"--json"}},
    {{"demo"}, {"--home", "--json"}},
};

std::string joined(const std::vector<std::string>& parts) {
    std::string out = "forecourt";
    for (const auto& p : parts) out += " " + p;
    return out;
}

}  // namespace

TEST_CASE("cli: --help of every command exits 0 and names its options") {
    for (const auto& c : kHelpCases) {
        auto args = c.command;
        args.push_back("--help");
        auto r = run_forecourt(args);
        INFO(joined(args) << "\n" << r.out << r.err);
        CHECK(r.exit_code == 0);
        for (const auto& word : c.mentions)
            CHECK_MESSAGE(r.out.find(word) != std::string::npos, joined(args), " lacks ", word);
    }
}

TEST_CASE("cli: parse errors are usage errors (exit 2) with the problem on stderr") {
    auto none = run_forecourt({});
    CHECK(none.exit_code == 2);
    auto unknown = run_forecourt({"tablet", "--home", "/tmp", "fly"});
    CHECK(unknown.exit_code == 2);
    auto bad_number = run_forecourt({"tablet", "--home", "/tmp", "register", "王伟", "--phone", "1",
                                     "--source", "walk_in", "--budget", "lots"});
    CHECK(bad_number.exit_code == 2);
    CHECK(bad_number.err.find("--budget") != std::string::npos);
    auto missing = run_forecourt({"tablet", "--home", "/tmp", "register", "王伟"});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("--phone") != std::string::npos);
}

TEST_CASE("cli: --version prints the version") {
    auto r = run_forecourt({"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find('.') != std::string::npos);
}
