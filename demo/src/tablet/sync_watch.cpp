// `tablet sync --watch`: keeps the store's WebSocket open and syncs when poked,
// when local changes wait, and now and then; while the server is unreachable
// it retries on an exponential backoff with jitter, capped at a few seconds.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <random>
#include <thread>

#include "forecourt/sync/net/event_socket.hpp"
#include "tablet/sync_commands.hpp"
#include "tablet/sync_transport.hpp"

namespace forecourt::cli {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kFirstRetry = 250ms;
constexpr auto kMaxRetry = 4000ms;
constexpr auto kPeriodicSync = 30s;

std::atomic<bool> g_stop_requested{false};

extern "C" void request_stop(int) { g_stop_requested = true; }

// Doubles per failure up to the cap; the jitter (±25%) keeps a store's tablets
// from retrying in lockstep after an outage.
std::chrono::milliseconds backoff_delay(int failures, std::mt19937& random) {
    auto delay = kFirstRetry * (1 << std::min(failures - 1, 5));
    delay = std::min<std::chrono::milliseconds>(delay, kMaxRetry);
    std::uniform_real_distribution<double> jitter(0.75, 1.25);
    return std::chrono::milliseconds(static_cast<long>(delay.count() * jitter(random)));
}

// Transient failures are retried; a refused pin, token or device is not.
bool worth_retrying(const Error& error) {
    return error.code == ErrorCode::offline || error.code == ErrorCode::internal ||
           error.code == ErrorCode::storage || error.code == ErrorCode::protocol;
}

class Watcher {
public:
    Watcher(Book& book, const SyncArgs& args, store::SyncState state)
        : book_(&book), args_(args), state_(std::move(state)), client_(book),
          random_(std::random_device{}()) {}

    Status run();

private:
    bool should_sync(bool poked);
    Status sync_now();
    void keep_socket_open();
    void log(const std::string& what) { std::cout << what << '\n' << std::flush; }

    Book* book_;
    SyncArgs args_;
    store::SyncState state_;
    sync::SyncClient client_;
    std::unique_ptr<sync::net::EventSocket> socket_;
    std::mt19937 random_;
    int failures_ = 0;
    Clock::time_point next_attempt_ = Clock::now();
    Clock::time_point next_socket_attempt_ = Clock::now();
    Clock::time_point last_sync_ = Clock::now() - kPeriodicSync;
};

void Watcher::keep_socket_open() {
    if (socket_ && socket_->is_open()) return;
    socket_.reset();
    if (Clock::now() < next_socket_attempt_) return;
    next_socket_attempt_ = Clock::now() + backoff_delay(std::max(failures_, 1), random_);
    auto connection = connection_for(state_.server_url, state_.server_pin);
    if (!connection.ok()) return;
    sync::net::EventSocketOptions options;
    options.connection = std::move(connection).value();
    options.bearer_token = state_.token;
    auto opened = sync::net::EventSocket::open(std::move(options));
    if (opened.ok()) socket_ = std::move(opened).value();
}

bool Watcher::should_sync(bool poked) {
    const auto now = Clock::now();
    if (now < next_attempt_) return false;
    if (poked || failures_ > 0 || now - last_sync_ >= kPeriodicSync) return true;
    auto pending = book_->changes().pending_count();
    return pending.ok() && *pending > 0;
}

Status Watcher::sync_now() {
    auto summary = sync_once(client_, state_, false);
    if (summary.ok()) {
        failures_ = 0;
        last_sync_ = Clock::now();
        if (summary->pushed + summary->pulled + summary->refused > 0)
            log("synced: pushed " + std::to_string(summary->pushed) + ", pulled " +
                std::to_string(summary->pulled) + ", conflicts " + std::to_string(summary->conflicts) +
                (summary->refused > 0 ? ", refused " + std::to_string(summary->refused) +
                                            " (kept in the book; see tablet status)"
                                      : std::string()));
        if (summary->revoked)
            return make_error(ErrorCode::revoked, "the store revoked this tablet; its book must be wiped",
                              ErrorDomain::sync);
        return ok_status();
    }
    if (!worth_retrying(summary.error())) return summary.error();
    ++failures_;
    const auto delay = backoff_delay(failures_, random_);
    next_attempt_ = Clock::now() + delay;
    log("sync failed (" + summary.error().message + "); retrying in " +
        std::to_string(delay.count()) + " ms");
    return ok_status();
}

Status Watcher::run() {
    const auto deadline = args_.max_seconds > 0 ? Clock::now() + std::chrono::seconds(args_.max_seconds)
                                                : Clock::time_point::max();
    bool poked = false;
    while (!g_stop_requested && Clock::now() < deadline) {
        if (should_sync(poked)) {
            FC_TRY(sync_now());
            poked = false;
        }
        keep_socket_open();
        if (socket_) {
            poked = socket_->wait_message(200ms).has_value() || poked;
        } else {
            std::this_thread::sleep_for(200ms);
        }
    }
    if (socket_) socket_->close();
    return ok_status();
}

}  // namespace

Status watch_and_sync(Book& book, const SyncArgs& args) {
    sync::SyncClient client(book);
    FC_ASSIGN(auto state, client.state());
    if (!state.enrolled())
        return make_error(ErrorCode::invalid_state,
                          "this book is not enrolled with a store server; enrol it first");
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    std::cout << "Watching " << state.server_url << " (Ctrl-C to stop)\n" << std::flush;
    Watcher watcher(book, args, state);
    return watcher.run();
}

}  // namespace forecourt::cli
