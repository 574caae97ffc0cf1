// What the sync and load benchmarks run against: the real store server (TLS on
// 127.0.0.1 around the store's request handler) and tablets that reach it over HTTPS.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "forecourt/core/book.hpp"
#include "forecourt/core/store/store_database.hpp"
#include "forecourt/sync/client/sync_client.hpp"
#include "forecourt/sync/net/https_client.hpp"
#include "forecourt/sync/net/https_transport.hpp"
#include "forecourt/sync/net/store_server.hpp"
#include "forecourt/sync/server/store_service.hpp"

namespace forecourt::bench {

struct LoopbackStoreOptions {
    std::string path;  // the store's database file
    std::size_t threads = 2;
    std::size_t max_connections = 256;
    storage::Synchronous synchronous = storage::Synchronous::full;
    // Fault injection: this share of sync requests has its connection cut, half
    // before the store applies the request (the request is lost), half after it
    // committed (the answer is lost). Chosen by a seeded generator.
    double cut_share = 0;
    std::uint64_t cut_seed = 1;
};

// The share of sync requests cut (changeable while serving), and how many
// were cut, by kind, out of the sync requests served while the share was set.
struct CutCounts {
    std::atomic<double> share{0};
    std::atomic<int> sync_requests{0};
    std::atomic<int> before_apply{0};
    std::atomic<int> after_apply{0};
};

// A store database, its request handler and a StoreServer on an ephemeral port
// whose pokes reach the devices' WebSockets, as in production.
class LoopbackStore {
  public:
    static Result<std::unique_ptr<LoopbackStore>> start(const LoopbackStoreOptions& options);
    ~LoopbackStore();

    sync::net::ClientOptions client_options() const;
    std::string url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }
    const std::string& fingerprint() const { return fingerprint_; }
    sync::StoreService& service() { return *service_; }
    store::StoreDatabase& database() { return *database_; }
    const CutCounts& cuts() const { return *cuts_; }
    void set_cut_share(double share) { cuts_->share = share; }

    // Admin requests straight to the handler: setup, never timed.
    Result<std::string> add_consultant(const std::string& name);
    Result<std::string> issue_code(const std::string& consultant_id);

  private:
    LoopbackStore() = default;
    Result<nlohmann::json> admin(const std::string& target, nlohmann::json body);

    std::unique_ptr<store::StoreDatabase> database_;
    std::unique_ptr<sync::StoreService> service_;
    std::string admin_token_;
    std::string fingerprint_;
    std::shared_ptr<std::atomic<sync::net::StoreServer*>> poke_target_;
    std::shared_ptr<CutCounts> cuts_ = std::make_shared<CutCounts>();
    std::unique_ptr<sync::net::StoreServer> server_;
};

// The tablet's transport: pinned HTTPS, with a second connection for pushes.
using sync::net::HttpsTransport;

// Hands requests straight to the handler, for setup that is not being measured.
class DirectTransport : public sync::Transport {
  public:
    explicit DirectTransport(sync::StoreService& service) : service_(&service) {}
    Result<sync::Response> send(const sync::Request& request) override {
        return service_->handle(request).response;
    }

  private:
    sync::StoreService* service_;
};

// A tablet's book and its sync client.
struct BenchTablet {
    BookOptions options;
    std::unique_ptr<Book> book;
    std::unique_ptr<sync::SyncClient> client;

    // Enrols the open book with `code` over `transport` (pinning `pin` for
    // `url`), then reopens it.
    Status enrol(sync::Transport& transport, const std::string& code, const std::string& url,
                 const std::string& pin);
    Result<std::string> token();
};

// A new empty book at options.path, not yet enrolled.
Result<BenchTablet> create_tablet(BookOptions options, const std::string& name);
// An existing book (e.g. a generated one), not yet enrolled.
Result<BenchTablet> open_tablet(BookOptions options);

// Peak resident set of this process so far (VmHWM), in KiB; 0 if unknown.
std::uint64_t peak_rss_kib();

}  // namespace forecourt::bench
