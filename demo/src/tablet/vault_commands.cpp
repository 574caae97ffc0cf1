// `tablet passwd|rekey|wipe|verify`: changing the passphrase, replacing the data
// key, crypto-shredding the book and checking every page's authentication tag.
#include "tablet/vault_commands.hpp"

#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "cli/output.hpp"
#include "forecourt/core/crypto/book_vault.hpp"

namespace forecourt::cli {
namespace {

namespace fs = std::filesystem;
using ContextPtr = std::shared_ptr<TabletContext>;

void add_passwd(CLI::App& tablet, const ContextPtr& context) {
    auto next = std::make_shared<PassphraseSource>();
    next->env_name = "FORECOURT_NEW_PASSPHRASE";
    next->file_option = "--new-passphrase-file";
    auto* cmd = tablet.add_subcommand(
        "passwd", "Change the encrypted book's passphrase (the pages keep their key: instant)");
    cmd->add_option("--new-passphrase-file", next->file,
                    "read the new passphrase from this file's first line (else "
                    "FORECOURT_NEW_PASSPHRASE, else asked twice on a terminal)");
    on_book_run(cmd, context, [context, next]() -> Status {
        const auto& session = context->session;
        return with_book_key(session, [&](platform::KeyStore& current) -> Status {
            FC_ASSIGN(auto fresh, new_key_store(*next));
            FC_TRY(crypto::change_passphrase(book_file(session.home), current, *fresh));
            std::cout << "Changed the passphrase of the book in " << session.home
                      << "; the old passphrase no longer opens it\n";
            return ok_status();
        });
    });
}

void add_rekey(CLI::App& tablet, const ContextPtr& context) {
    auto* cmd = tablet.add_subcommand(
        "rekey", "Re-encrypt every page of the book under a new random data key (same "
                 "passphrase); safe to interrupt");
    on_book_run(cmd, context, [context]() -> Status {
        const auto& session = context->session;
        return with_book_key(session, [&](platform::KeyStore& keys) -> Status {
            // Progress on a terminal: pages re-encrypted out of the total.
            crypto::RekeyOptions options;
            if (isatty(STDERR_FILENO) != 0) {
                options.progress = [](int done, int total) {
                    std::cerr << "\rRe-encrypting the book: " << done << " / " << total << " pages ("
                              << (total > 0 ? done * 100 / total : 100) << "%)" << std::flush;
                    if (done == total) std::cerr << '\n';
                };
            }
            FC_TRY(crypto::rekey_book(book_file(session.home), keys, options));
            std::cout << "Re-encrypted the book in " << session.home
                      << " under a new data key; the passphrase is unchanged\n";
            return ok_status();
        });
    });
}

std::vector<std::string> existing(const std::vector<std::string>& paths) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& path : paths)
        if (fs::exists(path, ec)) found.push_back(path);
    return found;
}

Status wipe(const SessionOptions& session, bool yes) {
    const std::string database = book_file(session.home);
    std::error_code ec;
    if (!fs::exists(database, ec))
        return make_error(ErrorCode::not_found, "no book in " + session.home);
    if (!yes)
        return make_error(ErrorCode::invalid_argument,
                          "wipe destroys the book in " + session.home +
                              " for good, with every customer not yet synced; add --yes to do it");
    const auto files = crypto::BookFiles::of(database);
    const bool encrypted = crypto::is_encrypted_book(database);
    const auto removed = existing(files.all());
    FC_TRY(crypto::wipe_book(database));
    if (encrypted)
        std::cout << "Destroyed the key: overwrote and removed " << files.key
                  << " first, so no copy of the book can be decrypted any more\n";
    std::cout << "Removed " << join(removed) << '\n';
    if (!encrypted)
        std::cout << "The book was not encrypted: a copy of it taken before stays readable\n";
    return ok_status();
}

void add_wipe(CLI::App& tablet, const ContextPtr& context) {
    auto yes = std::make_shared<bool>(false);
    auto* cmd = tablet.add_subcommand(
        "wipe", "Destroy the book: its key first (so copies cannot be decrypted), then its files");
    cmd->add_flag("--yes", *yes, "really destroy it (required)");
    on_book_run(cmd, context, [context, yes] { return wipe(context->session, *yes); });
}

nlohmann::json report_json(const std::string& database, const crypto::VerifyReport& report) {
    return {{"book", database},
            {"ok", report.ok()},
            {"database_pages", report.database_pages},
            {"wal_frames", report.wal_frames},
            {"problems", report.problems}};
}

void print_report(const std::string& database, const crypto::VerifyReport& report) {
    print_fields(std::cout, {{"book", database},
                             {"database pages authenticated", std::to_string(report.database_pages)},
                             {"WAL frames authenticated", std::to_string(report.wal_frames)},
                             {"result", report.ok() ? "ok: every page authenticated, "
                                                      "integrity_check ok"
                                                    : "FAILED"}});
    for (const auto& problem : report.problems) std::cout << "  problem: " << problem << '\n';
}

Status verify(const SessionOptions& session, bool json_output) {
    const std::string database = book_file(session.home);
    crypto::VerifyReport report;
    FC_TRY(with_book_key(session, [&](platform::KeyStore& keys) -> Status {
        FC_ASSIGN(report, crypto::verify_book(database, keys));
        return ok_status();
    }));
    if (json_output)
        print_json(std::cout, report_json(database, report));
    else
        print_report(database, report);
    if (report.ok()) return ok_status();
    return make_error(ErrorCode::tampered,
                      "the book in " + session.home + " failed verification: " +
                          report.problems.front() +
                          (report.problems.size() > 1
                               ? " (and " + std::to_string(report.problems.size() - 1) + " more)"
                               : ""),
                      ErrorDomain::crypto);
}

void add_verify(CLI::App& tablet, const ContextPtr& context) {
    auto json_output = std::make_shared<bool>(false);
    auto* cmd = tablet.add_subcommand(
        "verify", "Check every page's authentication tag and SQLite's integrity_check");
    cmd->add_flag("--json", *json_output, "print the report as JSON for scripts");
    on_book_run(cmd, context, [context, json_output] { return verify(context->session, *json_output); });
}

}  // namespace

void add_vault_commands(CLI::App& tablet, const std::shared_ptr<TabletContext>& context) {
    tablet.add_option("--passphrase-file", context->session.passphrase.file,
                      "read the book's passphrase from this file's first line (else "
                      "FORECOURT_PASSPHRASE, else asked on a terminal)");
    tablet.get_subcommand("init")->add_flag_callback(
        "--insecure-plaintext",
        [context] { context->session.protection = BookProtection::insecure_plaintext; },
        "create a book that is NOT encrypted (for debugging; anyone with the file can read it)");
    add_passwd(tablet, context);
    add_rekey(tablet, context);
    add_wipe(tablet, context);
    add_verify(tablet, context);
}

}  // namespace forecourt::cli
