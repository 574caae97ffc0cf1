// Integration fixtures: a real store server (StoreServer around StoreService)
// on 127.0.0.1 with an ephemeral port and a generated certificate, and tablets
// with real books on temp files that sync with it over pinned HTTPS.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "forecourt/core/book.hpp"
#include "forecourt/core/store/store_database.hpp"
#include "forecourt/sync/client/sync_client.hpp"
#include "forecourt/sync/net/https_client.hpp"
#include "forecourt/sync/net/https_transport.hpp"
#include "forecourt/sync/net/store_server.hpp"
#include "forecourt/sync/server/store_service.hpp"
#include "temp_dir.hpp"

namespace forecourt::testing {

template <typename T>
T need(Result<T> result, const char* what = "setup step") {
    if (!result.ok()) throw std::runtime_error(std::string(what) + ": " + result.error().describe());
    return std::move(result).value();
}

const sync::net::TlsIdentity& test_identity();
const std::string& test_fingerprint();

class LiveStore {
public:
    explicit LiveStore(const TempDir& dir);
    ~LiveStore();

    std::uint16_t port() const { return server_->port(); }
    std::string url() const { return "https://127.0.0.1:" + std::to_string(port()); }
    sync::net::ClientOptions client_options(std::string fingerprint = test_fingerprint()) const;

    // An admin request straight to the handler; throws unless it succeeds.
    nlohmann::json admin(const std::string& method, const std::string& target,
                         nlohmann::json body = nlohmann::json::object());
    std::string add_consultant(const std::string& name);
    std::string issue_code(const std::string& consultant_id);
    nlohmann::json conflicts() { return admin("GET", "/v1/admin/conflicts")["conflicts"]; }
    // Synced records of the store: {table: {id: row}}.
    nlohmann::json records();

    // Runs before the real handler; an answer it gives replaces the handler's.
    std::function<std::optional<sync::net::HttpResponse>(const sync::net::HttpRequest&)> before;
    // Runs after the real handler committed; true drops the connection instead of answering.
    std::function<bool(const sync::net::HttpRequest&)> lose_response;
    std::atomic<int> handled{0};

    platform::ManualClock clock;
    std::unique_ptr<store::StoreDatabase> store;
    std::unique_ptr<sync::StoreService> service;

private:
    sync::net::HttpResponse handle(const sync::net::HttpRequest& request);
    std::string admin_token_;
    std::unique_ptr<sync::net::StoreServer> server_;
};

using NetTransport = sync::net::HttpsTransport;

class LiveTablet {
public:
    LiveTablet(const TempDir& dir, const std::string& name);

    // Enrols with a fresh code over HTTPS; returns the enrolment's outcome.
    Status enrol(LiveStore& store, const std::string& code,
                 const std::string& fingerprint = test_fingerprint());
    void enrol_for(LiveStore& store, const std::string& consultant_id);
    Result<sync::SyncSummary> sync();
    void reopen();

    Book& book() { return *book_; }
    std::string token();
    std::string register_prospect(const std::string& name, const std::string& phone);
    nlohmann::json records();

private:
    std::string path_;
    std::unique_ptr<Book> book_;
    std::unique_ptr<NetTransport> transport_;
};

nlohmann::json records_of(storage::RecordStore& records, storage::Database& db);

}  // namespace forecourt::testing
