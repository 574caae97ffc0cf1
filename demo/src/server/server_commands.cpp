// `server init` creates a store in a home directory; `server run` serves it
// over HTTPS until SIGINT or SIGTERM, logging one JSON object per line on stderr.
#include "server/server_commands.hpp"

#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <mutex>

#include <nlohmann/json.hpp>

#include "cli/exit_status.hpp"
#include "server/server_home.hpp"
#include "server/store_host.hpp"

namespace forecourt::cli {
namespace {

struct ServerArgs {
    std::string home;
    std::string store_name = "Forecourt store";
    std::string host_name = "localhost";
    std::string listen = "0.0.0.0:8443";
};
using ServerArgsPtr = std::shared_ptr<ServerArgs>;

Status run_init(const ServerArgs& args) {
    ServerHome home{args.home};
    FC_ASSIGN(auto made, initialize_store(home, args.store_name, args.host_name));
    std::cout << "Created the store \"" << made.identity.name << "\" in " << home.dir << '\n'
              << "  store id     " << made.identity.store_id << '\n'
              << "  certificate  " << home.certificate_file() << '\n'
              << "  fingerprint  " << made.fingerprint << '\n'
              << "  admin token  " << home.admin_token_file() << " (readable by you only)\n"
              << "Tablets pin the fingerprint when they enrol: give it to them with the "
                 "enrolment code.\n";
    return ok_status();
}

// Log lines come from several server threads; each is written whole.
void log_line(const std::string& line) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::cerr << line << '\n' << std::flush;
}

void log_event(const platform::Clock& clock, std::string_view event, nlohmann::json extra) {
    extra["time"] = clock.now_ms();
    extra["level"] = "info";
    extra["event"] = event;
    log_line(extra.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// SIGINT and SIGTERM are blocked before the server's threads start, so they
// inherit the mask and only this thread, in sigwait, ever receives them.
sigset_t block_stop_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return signals;
}

Status run_server(const ServerArgs& args) {
    ServerHome home{args.home};
    FC_ASSIGN(auto address, parse_listen_address(args.listen));
    FC_ASSIGN(auto identity, load_identity(home));
    FC_ASSIGN(auto store, open_store(home));
    const auto store_id = store->identity().store_id;
    const sigset_t signals = block_stop_signals();
    HostOptions options{address.first, address.second, std::move(identity), log_line};
    FC_ASSIGN(auto host, StoreHost::start(std::move(store), std::move(options)));
    const auto& clock = platform::system_clock();
    log_event(clock, "server.started",
              {{"address", address.first}, {"port", host->port()}, {"store_id", store_id}});
    std::cout << "Listening on " << address.first << ':' << host->port() << '\n' << std::flush;
    int received = 0;
    sigwait(&signals, &received);
    log_event(clock, "server.stopping", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
    host->stop();
    log_event(clock, "server.stopped", nlohmann::json::object());
    return ok_status();
}

void require_server_home(const ServerArgs& args) {
    if (args.home.empty()) throw CLI::RequiredError("--home DIR (or FORECOURT_SERVER_HOME)");
}

void add_init(CLI::App& server, const ServerArgsPtr& args) {
    auto* cmd = server.add_subcommand(
        "init", "Create the store's database, its self-signed TLS certificate (ECDSA P-256) and "
                "the admin token in the home directory; prints the certificate's fingerprint");
    cmd->add_option("--store-name", args->store_name, "the store's name, e.g. \"Forecourt Motors\"");
    cmd->add_option("--host-name", args->host_name,
                    "the server's host name in its certificate (default localhost; localhost "
                    "and 127.0.0.1 are always included)");
    cmd->callback([args] {
        require_server_home(*args);
        run_command([args] { return run_init(*args); });
    });
}

void add_run(CLI::App& server, const ServerArgsPtr& args) {
    auto* cmd = server.add_subcommand(
        "run", "Serve the store to its tablets over HTTPS and WebSocket until SIGINT or SIGTERM; "
               "prints the bound address, logs JSON lines on stderr");
    cmd->add_option("--listen", args->listen,
                    "ADDRESS:PORT to listen on (default 0.0.0.0:8443; port 0 picks a free one)");
    cmd->callback([args] {
        require_server_home(*args);
        run_command([args] { return run_server(*args); });
    });
}

}  // namespace

void register_server_commands(CLI::App& app) {
    auto args = std::make_shared<ServerArgs>();
    auto* server = app.add_subcommand("server", "Run a store server: the store's side of sync");
    server->add_option("--home", args->home, "the server's home directory (store.db, certificate)")
        ->envname("FORECOURT_SERVER_HOME");
    server->require_subcommand(1);
    server->fallthrough();
    add_init(*server, args);
    add_run(*server, args);
}

}  // namespace forecourt::cli
