// Shared by the sync crash tests: the store server as a child process of the
// forecourt binary, a store home made by its CLI, and what the tests read back
// from the tablet's and the store's databases.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "forecourt/core/book.hpp"
#include "forecourt/core/store/store_database.hpp"
#include "forecourt/sync/net/https_client.hpp"
#include "live_store.hpp"
#include "temp_dir.hpp"

namespace forecourt::testing::crash {

using Clock = std::chrono::steady_clock;

inline constexpr int kKills = 24;

// A seed from FC_SEED, or a random one; printed so that a failure can be replayed.
std::uint64_t crash_seed(const char* what);
// Runs the forecourt binary; fails the test unless it exits 0. Its stdout.
std::string forecourt_ok(const std::vector<std::string>& args);
std::string first_line(const std::string& text);

// A store's home made by `forecourt server init`, with one consultant.
struct StoreHome {
    std::string dir;
    std::string fingerprint;
    std::string consultant_id;

    explicit StoreHome(const std::string& home);
    std::string enrolment_code() const;
    std::string database() const { return dir + "/store.db"; }
};

// `forecourt server run` on 127.0.0.1 with an ephemeral port, its output in a
// file whose first line names the port. Killed with SIGKILL on request.
class ServerChild {
public:
    ServerChild(std::string home, std::string output) : home_(std::move(home)), output_(std::move(output)) {}
    ~ServerChild();
    ServerChild(const ServerChild&) = delete;
    ServerChild& operator=(const ServerChild&) = delete;

    void start();
    // Safe from another thread while the owner waits on a request.
    void kill() const;
    // Kills (if it still runs) and reaps; the exit status as waitpid gives it.
    int stop();
    bool running() const { return pid_ > 0; }

    sync::net::ClientOptions client_options(const std::string& fingerprint) const;
    std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

private:
    std::string home_;
    std::string output_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

// What each crash test starts from: a seed (printed), a temp dir, a store
// home with one consultant, and its server running.
struct CrashScene {
    explicit CrashScene(const char* what);
    std::uint64_t seed;
    std::mt19937_64 dice;
    TempDir dir;
    StoreHome home;
    ServerChild server;
};

// Enrols `book` with the store over HTTPS; the caller reopens it afterwards.
void enrol(Book& book, const ServerChild& server, const StoreHome& home);

std::vector<std::string> column(storage::Database& db, const std::string& sql);
std::int64_t number(storage::Database& db, const std::string& sql);
inline const std::vector<std::string> kOk{"ok"};

struct OutboxEntry {
    std::string table;
    std::string record_id;
};
std::map<std::int64_t, OutboxEntry> outbox_of(Book& book);
// How many change-log entries each of the device's pushed seqs produced.
std::map<std::int64_t, std::int64_t> applied_seqs(store::StoreDatabase& store, const std::string& device);
std::unique_ptr<store::StoreDatabase> open_store(const StoreHome& home);

// Counts requests, so a kill can be aimed at the k-th one.
class CountingTransport : public sync::Transport {
public:
    explicit CountingTransport(sync::Transport& inner) : inner_(inner) {}
    Result<sync::Response> send(const sync::Request& request) override {
        ++sent;
        const auto start = std::chrono::steady_clock::now();
        auto response = inner_.send(request);
        if (response.ok()) {
            answered_us += std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::steady_clock::now() - start)
                               .count();
            ++answered;
        }
        return response;
    }
    std::atomic<int> sent{0};
    // Requests answered and the time they took, request to answer.
    std::atomic<int> answered{0};
    std::atomic<std::int64_t> answered_us{0};

private:
    sync::Transport& inner_;
};

}  // namespace forecourt::testing::crash
