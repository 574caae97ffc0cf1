// `tablet enroll`, `tablet sync` and `tablet status`.
#include "tablet/sync_commands.hpp"

#include <unistd.h>

#include <iostream>

#include "cli/output.hpp"
#include "forecourt/core/storage/transaction.hpp"
#include "forecourt/sync/net/certificate.hpp"
#include "tablet/sync_transport.hpp"

namespace forecourt::cli {
namespace {

using nlohmann::json;

struct EnrolArgs {
    std::string server;
    std::string code;
    std::string fingerprint;
    std::string device_name;
};

Status enrol(const TabletContext& context, const EnrolArgs& args) {
    FC_ASSIGN(auto book, context.open());
    FC_ASSIGN(auto connection, connection_for(args.server, args.fingerprint));
    const std::string pin = connection.pinned_fingerprint;
    const std::string name = args.device_name.empty()
                                 ? "tablet of " + book->identity().consultant_name
                                 : args.device_name;
    sync::SyncClient client(*book);
    HttpsTransport transport(std::move(connection));
    FC_ASSIGN(auto answer, transport.send(client.enrol_request(args.code, name)));
    FC_ASSIGN(auto enrolled, client.complete_enrolment(answer, name, args.server, pin));
    std::cout << "Enrolled with " << args.server << " as " << enrolled.consultant_name << '\n'
              << "  device id  " << enrolled.device_id << "\n  store      " << enrolled.store_id
              << "\nSync with: forecourt tablet --home " << context.session.home << " sync\n";
    return ok_status();
}

void add_enroll(CLI::App& tablet, const TabletContextPtr& context) {
    auto args = std::make_shared<EnrolArgs>();
    auto* cmd = tablet.add_subcommand(
        "enroll", "Enrol this book with the store server, pinning its certificate");
    cmd->alias("enrol");
    cmd->add_option("--server", args->server, "the store server, https://HOST:PORT")->required();
    cmd->add_option("--code", args->code, "the one-time enrolment code from the manager")->required();
    cmd->add_option("--fingerprint", args->fingerprint,
                    "the server certificate's fingerprint, SHA256:AB:CD:… (from `server init`)")
        ->required();
    cmd->add_option("--name", args->device_name, "this tablet's name (default: tablet of NAME)");
    on_book_run(cmd, context, [context, args] { return enrol(*context, *args); });
}

void print_summary(const sync::SyncSummary& s, const std::string& server, bool json_output) {
    if (json_output) {
        print_json(std::cout, {{"pushed", s.pushed}, {"pulled", s.pulled}, {"conflicts", s.conflicts},
                               {"refused", s.refused}, {"rounds", s.rounds}, {"revoked", s.revoked},
                               {"server", server}});
        return;
    }
    std::cout << "Synced with " << server << ": pushed " << s.pushed << ", pulled " << s.pulled
              << ", conflicts " << s.conflicts << '\n';
    if (s.refused > 0)
        std::cout << "The store refused " << s.refused << " change(s); they are kept in this book "
                  << "(`tablet status` lists them) and the others synced.\n";
    if (s.revoked) std::cout << "The store revoked this tablet: its book must be wiped.\n";
}

Status run_sync(const TabletContext& context, const SyncArgs& args) {
    FC_ASSIGN(auto book, context.open());
    if (args.retry_refused) {
        FC_ASSIGN(auto tx, storage::Transaction::begin(book->db()));
        FC_ASSIGN(auto queued, book->changes().requeue_refused(tx));
        FC_TRY(tx.commit());
        if (!args.json) std::cerr << queued << " refused change(s) queued again\n";
    }
    if (args.watch) return watch_and_sync(*book, args);
    sync::ClientOptions options;
    options.batch_size = args.batch;
    sync::SyncClient client(*book, options);
    FC_ASSIGN(auto state, client.state());
    FC_ASSIGN(auto summary, sync_once(client, state, !args.json && ::isatty(STDERR_FILENO)));
    print_summary(summary, state.server_url, args.json);
    return ok_status();
}

void add_sync(CLI::App& tablet, const TabletContextPtr& context) {
    auto args = std::make_shared<SyncArgs>();
    auto* cmd = tablet.add_subcommand(
        "sync", "Push the outbox to the store server, then pull what changed; prints pushed, "
                "pulled and conflicts");
    cmd->add_flag("--json", args->json, "print the summary as JSON");
    cmd->add_flag("--watch", args->watch,
                  "stay connected: sync when the server pokes or local changes wait, retrying "
                  "with backoff while the server is unreachable");
    cmd->add_option("--max-seconds", args->max_seconds, "with --watch: stop after N seconds")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--retry-refused", args->retry_refused,
                  "first put the changes the store refused (see `tablet status`) back in the outbox, "
                  "to push them again: after the store was upgraded, say");
    cmd->add_option("--batch", args->batch, "outbox changes per push (default 500, the most the store takes)")
        ->check(CLI::Range(1, 500));
    on_book_run(cmd, context, [context, args] { return run_sync(*context, *args); });
}

json status_json(const store::SyncState& s, std::int64_t pending, const json& refused) {
    auto optional_ms = [](const std::optional<platform::EpochMs>& t) { return t ? json(*t) : json(); };
    return {{"status", s.status},          {"server", s.server_url},
            {"fingerprint", s.server_pin}, {"device_id", s.device_id},
            {"device_name", s.device_name}, {"store_id", s.store_id},
            {"cursor", s.cursor},          {"pending", pending},          {"refused", refused},
            {"snapshot", s.snapshot ? json{{"head", s.snapshot->head}, {"sent", s.snapshot->sent}} : json()},
            {"enrolled_at", optional_ms(s.enrolled_at)}, {"last_sync_at", optional_ms(s.last_sync_at)},
            {"last_error", s.last_error ? json(*s.last_error) : json()}};
}

constexpr int kRefusedShown = 20;  // refused changes listed by `tablet status`

json refused_json(std::int64_t total, const std::vector<storage::RefusedChange>& shown) {
    json list = json::array();
    for (const auto& r : shown) {
        json fields = json::object();
        for (const auto& f : r.change.fields) fields[f.field] = f.value;
        list.push_back({{"seq", r.change.seq}, {"table", r.change.table}, {"id", r.change.record_id},
                        {"fields", fields}, {"reason", r.reason}, {"refused_at", r.refused_at}});
    }
    return {{"count", total}, {"changes", list}};
}

// The cursor, and a first pull's snapshot under way.
std::string cursor_text(const store::SyncState& state) {
    if (!state.snapshot) return std::to_string(state.cursor);
    return std::to_string(state.cursor) + " (first pull under way: " + std::to_string(state.snapshot->sent) +
           " records of the store's snapshot pulled; the next sync goes on from there)";
}

Status show_status(const TabletContext& context, bool json_output) {
    FC_ASSIGN(auto book, context.open());
    sync::SyncClient client(*book);
    FC_ASSIGN(auto state, client.state());
    FC_ASSIGN(auto pending, book->changes().pending_count());
    FC_ASSIGN(auto refused_total, book->changes().refused_count());
    FC_ASSIGN(auto refused, book->changes().refused(kRefusedShown));
    if (json_output) {
        print_json(std::cout, status_json(state, pending, refused_json(refused_total, refused)));
        return ok_status();
    }
    const int offset = book->clock().utc_offset_minutes();
    auto when = [offset](const std::optional<platform::EpochMs>& t) {
        return t ? local_date_time(*t, offset) : std::string("never");
    };
    print_fields(std::cout, {{"status", state.status},
                             {"server", state.server_url},
                             {"fingerprint", state.server_pin},
                             {"device", state.device_id},
                             {"store", state.store_id},
                             {"pending", std::to_string(pending) + " change(s) to push"},
                             {"cursor", cursor_text(state)},
                             {"last sync", when(state.last_sync_at)},
                             {"last error", state.last_error.value_or("")},
                             {"refused", std::to_string(refused_total) +
                                             " change(s) the store refused, kept in this book"}});
    for (const auto& r : refused)
        std::cout << "  #" << r.change.seq << ' ' << r.change.table << ' ' << r.change.record_id << ", "
                  << local_date_time(r.refused_at, offset) << ": " << r.reason << '\n';
    if (refused_total > static_cast<std::int64_t>(refused.size()))
        std::cout << "  … and " << refused_total - static_cast<std::int64_t>(refused.size()) << " more\n";
    return ok_status();
}

void add_status(CLI::App& tablet, const TabletContextPtr& context) {
    auto json_output = std::make_shared<bool>(false);
    auto* cmd = tablet.add_subcommand(
        "status", "Show the sync state: server, pending changes, last sync, cursor");
    cmd->add_flag("--json", *json_output, "print the state as JSON");
    on_book_run(cmd, context, [context, json_output] { return show_status(*context, *json_output); });
}

}  // namespace

Result<sync::SyncSummary> sync_once(sync::SyncClient& client, const store::SyncState& state,
                                    bool show_progress) {
    FC_ASSIGN(auto connection, connection_for(state.server_url, state.server_pin));
    HttpsTransport transport(std::move(connection));
    // Changes pulled so far, and how many there are in all (the store counts
    // what remains after the first page).
    struct PullProgress {
        std::int64_t pulled = 0;
        std::optional<std::int64_t> total;
    };
    auto progress = std::make_shared<PullProgress>();
    if (show_progress)
        client.on_page([progress](const sync::PullPage& page) {
            progress->pulled += static_cast<std::int64_t>(page.changes.size());
            if (page.remaining) progress->total = progress->pulled + *page.remaining;
            if (!page.more) return;
            std::cerr << "\r  pulled " << progress->pulled;
            if (progress->total) std::cerr << " of " << *progress->total;
            std::cerr << " changes…" << std::flush;
        });
    auto summary = client.sync(transport);
    client.on_page({});
    if (show_progress && progress->pulled > 0) std::cerr << "\r\033[K" << std::flush;
    return summary;
}

void add_sync_commands(CLI::App& tablet, const TabletContextPtr& context) {
    add_enroll(tablet, context);
    add_sync(tablet, context);
    add_status(tablet, context);
}

}  // namespace forecourt::cli
