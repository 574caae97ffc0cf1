// `forecourt demo`: runs the consultant's day, then the store server and sync
// story, in a fresh home directory (a temporary one, removed afterwards,
// unless --home is given).
#include "story/demo_command.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/book_session.hpp"
#include "cli/exit_status.hpp"
#include "cli/output.hpp"
#include "story/consultant_day.hpp"
#include "story/sync_story.hpp"

namespace forecourt::cli {
namespace {

namespace fs = std::filesystem;

struct DemoArgs {
    std::optional<std::string> home;
    bool json = false;
};

// A new directory under the system's temp dir, removed with everything in it
// unless kept.
class TemporaryHome {
  public:
    static Result<TemporaryHome> create() {
        std::error_code ec;
        std::string pattern = (fs::temp_directory_path(ec) / "forecourt-demo-XXXXXX").string();
        if (ec || !mkdtemp(pattern.data()))
            return make_error(ErrorCode::storage,
                              "cannot create a temporary directory for the demo",
                              ErrorDomain::platform);
        return TemporaryHome(pattern);
    }
    TemporaryHome(TemporaryHome&& other) noexcept : path_(std::move(other.path_)) {
        other.path_.clear();
    }
    TemporaryHome(const TemporaryHome&) = delete;
    TemporaryHome& operator=(const TemporaryHome&) = delete;
    TemporaryHome& operator=(TemporaryHome&&) = delete;
    ~TemporaryHome() {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }

  private:
    explicit TemporaryHome(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

Status run_demo(const DemoArgs& args) {
    std::optional<TemporaryHome> temporary;
    std::string home;
    if (args.home) {
        home = *args.home;
        std::error_code ec;
        if (fs::exists(book_file(home), ec))
            return make_error(ErrorCode::already_exists,
                              "the demo needs a fresh home, and " + home +
                                  " already has a book; "
                                  "give another --home, or none for a temporary one");
    } else {
        FC_ASSIGN(auto created, TemporaryHome::create());
        temporary.emplace(std::move(created));
        home = temporary->path();
    }
    const bool removed = temporary.has_value();
    if (!args.json)
        std::cout << "Forecourt demo: a sales consultant's day on the tablet, offline; then the "
                     "store server, sync and a conflict\n"
                  << "Book: " << book_file(home)
                  << (removed ? " (temporary, removed at the end)" : " (kept)") << '\n'
                  << "Encrypted with the demo's passphrase \"" << kDemoPassphrase
                  << "\" (a real book takes the consultant's own)\n";
    nlohmann::json report = {{"home", home},
                             {"book", book_file(home)},
                             {"removed", removed},
                             {"passphrase", kDemoPassphrase}};
    FC_TRY(run_consultant_day(home, std::cout, args.json, report));
    FC_TRY(run_sync_story(home, std::cout, args.json, report));
    if (args.json) {
        print_json(std::cout, report);
    } else if (!removed) {
        std::cout << "\nThe book is kept; look around with: FORECOURT_PASSPHRASE="
                  << kDemoPassphrase << " forecourt tablet --home " << home << " agenda\n"
                  << "The store's home is kept too: forecourt admin --home "
                  << (fs::path(home) / "store").string() << " conflicts\n";
    }
    return ok_status();
}

}  // namespace

void register_demo_command(CLI::App& app) {
    auto args = std::make_shared<DemoArgs>();
    auto* cmd = app.add_subcommand(
        "demo",
        "Play a scripted consultant's day on a fresh local book: prospects, follow-ups, a "
        "home visit, a call, a roadside test drive, a delivery and a lost deal, then the "
        "next morning's agenda, a customer card and what waits for sync; then start a store "
        "server on 127.0.0.1, enrol three devices, edit one customer offline on two of them, "
        "sync, and show the merged card and the conflict the manager sees");
    cmd->add_option("--home", args->home,
                    "keep the demo's book in this directory (default: a temporary directory, "
                    "removed at the end)");
    cmd->add_flag("--json", args->json,
                  "print the story's steps, agenda, card, outbox and sync outcome as JSON");
    cmd->callback([args] { run_command([args] { return run_demo(*args); }); });
}

}  // namespace forecourt::cli
