// The initial pulls of `forecourt-bench sync`: the child process that pulls, and
// the benchmark's side that starts it and reads its figures.
#include "sync_pull.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "bench_util.hpp"

namespace forecourt::bench {

int run_pull_child(const PullChild& o) {
    sync::net::ClientOptions connection;
    connection.host = "127.0.0.1";
    connection.port = static_cast<std::uint16_t>(o.port);
    connection.pinned_fingerprint = o.pin;
    connection.io_timeout = std::chrono::seconds(60);
    HttpsTransport transport(connection);
    BookOptions options;
    options.path = o.book;
    auto tablet = create_tablet(options, "pulling tablet");
    auto enrolled = tablet.ok() ? tablet->enrol(transport, o.code, "https://127.0.0.1",
                                                o.pin)
                                : Status(tablet.error());
    if (!enrolled.ok()) {
        std::cerr << "pulling tablet: " << enrolled.error().describe() << '\n';
        return 2;
    }
    const auto start = std::chrono::steady_clock::now();
    auto summary = tablet->client->sync(transport);
    const double us = elapsed_us(start);
    if (!summary.ok()) {
        std::cerr << "pulling tablet: " << summary.error().describe() << '\n';
        return 2;
    }
    std::cout << Json{{"us", us}, {"pulled", summary->pulled}, {"vmhwm_kib", peak_rss_kib()}}.dump()
              << '\n';
    return 0;
}

Result<PullFigures> pull_in_child(LoopbackStore& store, const std::string& consultant_id,
                                  const std::string& book_path) {
    FC_ASSIGN(auto code, store.issue_code(consultant_id));
    const auto port = std::to_string(store.client_options().port);
    std::vector<std::string> args{"forecourt-bench", "sync", "--pull-child", "--child-port", port,
                                  "--child-pin", store.fingerprint(), "--child-code", code,
                                  "--child-book", book_path};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (::pipe(out) != 0) return make_error(ErrorCode::internal, "pipe failed");
    // posix_spawn, not fork: a forked child shares the benchmark's memory
    // copy-on-write until it execs, and the store's threads then take a page
    // fault on their first write to each page of the benchmark's (large)
    // memory, which doubled the store's CPU for each pull it served.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, out[1]);
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        ::close(out[0]);
        ::close(out[1]);
        return make_error(ErrorCode::internal,
                          "could not start the pulling child: " + std::string(std::strerror(spawned)));
    }
    ::close(out[1]);
    std::string text;
    char buffer[512];
    for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
    ::close(out[0]);
    int wait_status = 0;
    ::waitpid(pid, &wait_status, 0);
    auto figures = Json::parse(text, nullptr, false);
    if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0 || figures.is_discarded())
        return make_error(ErrorCode::internal, "the pulling child failed");
    // The child's own VmHWM, not wait4's ru_maxrss: Linux carries the high-water
    // mark of the memory a process had before execve into ru_maxrss, and a
    // child may start with the benchmark's (the server, the generated books).
    return PullFigures{figures["us"].get<double>(), figures["pulled"].get<int>(),
                       figures["vmhwm_kib"].get<std::uint64_t>()};
}

}  // namespace forecourt::bench
