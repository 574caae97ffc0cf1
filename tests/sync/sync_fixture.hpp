// Sync test fixtures: a store server (its database on a temp file, a manual
// clock and the request handler), tablets with real books enrolled with it,
// and an in-process transport that can lose or repeat messages.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/book.hpp"
#include "forecourt/core/store/store_database.hpp"
#include "forecourt/sync/client/sync_client.hpp"
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/server/store_service.hpp"
#include "temp_dir.hpp"

namespace forecourt::testing {

inline constexpr platform::EpochMs kStart = 1'764'000'000'000;  // 2025-11-24

// The value of a step that must succeed; throws with the error otherwise.
template <typename T>
T need(Result<T> result, const char* what = "setup step") {
    if (!result.ok()) throw std::runtime_error(std::string(what) + ": " + result.error().describe());
    return std::move(result).value();
}

class StoreFixture {
public:
    explicit StoreFixture(const std::filesystem::path& dir, platform::EpochMs start = kStart);

    sync::Reply call(const std::string& method, const std::string& target, const std::string& body,
                     const std::string& token);
    // An admin request that must succeed; its parsed body.
    nlohmann::json admin(const std::string& method, const std::string& target,
                         const nlohmann::json& body = nlohmann::json::object());
    std::string add_consultant(const std::string& name);
    std::string issue_code(const std::string& consultant_id);

    platform::ManualClock clock;
    std::unique_ptr<store::StoreDatabase> store;
    std::unique_ptr<sync::StoreService> service;
    std::string admin_token;
    std::vector<sync::DevicePoke> pokes;  // every poke replies asked for
};

// Hands requests straight to the store's handler. Faults, when set, are
// consulted per request: drop it before the server sees it, drop the
// server's answer after it committed, or deliver the request twice.
class InProcessTransport : public sync::Transport {
public:
    explicit InProcessTransport(StoreFixture& server) : server_(&server) {}
    Result<sync::Response> send(const sync::Request& request) override;

    std::function<bool()> drop_request;
    std::function<bool()> drop_response;
    std::function<bool()> duplicate;
    int sent = 0;

private:
    StoreFixture* server_;
};

// An in-process transport that says it may send in the background, and
// remembers each request's pull cursor and the thread that sent it. One
// chosen send (1-based) fails as if the store had not answered; another
// gets a 200 whose body is cut short; hooks watch each send.
class BackgroundTransport : public sync::Transport {
public:
    explicit BackgroundTransport(StoreFixture& server) : inner_(server) {}
    Result<sync::Response> send(const sync::Request& request) override {
        const auto body = nlohmann::json::parse(request.body);
        cursors.push_back(body["pull"]["cursor"].get<std::int64_t>());
        threads.push_back(std::this_thread::get_id());
        const int number = static_cast<int>(cursors.size());
        if (on_send) on_send(number);
        if (number == fail_send)
            return make_error(ErrorCode::offline, "the store server did not answer", ErrorDomain::sync);
        auto response = inner_.send(request);
        if (number == garble_send && response.ok()) response->body.resize(response->body.size() / 2);
        if (on_answered) on_answered(number);
        return response;
    }
    bool sends_in_background() const override { return true; }

    int fail_send = 0;
    int garble_send = 0;
    // Called with the send's number (1-based), on the sending thread: as it
    // begins, and once the store has answered.
    std::function<void(int)> on_send, on_answered;
    std::vector<std::int64_t> cursors;
    std::vector<std::thread::id> threads;

private:
    InProcessTransport inner_;
};

class Tablet {
public:
    Tablet(const std::filesystem::path& dir, const std::string& name, platform::EpochMs start = kStart,
           storage::Synchronous synchronous = storage::Synchronous::full, sync::ClientOptions options = {});

    // Enrols this tablet's book for the consultant; reopens the book.
    void enrol(StoreFixture& server, const std::string& consultant_id);
    Book& book() { return *book_; }
    sync::SyncClient& client() { return *client_; }
    Result<sync::SyncSummary> sync(sync::Transport& transport) { return client_->sync(transport); }
    void reopen();
    std::string register_prospect(const std::string& name, const std::string& phone);

    platform::ManualClock clock;

private:
    std::string path_;
    storage::Synchronous synchronous_;
    sync::ClientOptions options_;
    std::unique_ptr<Book> book_;
    std::unique_ptr<sync::SyncClient> client_;
};

// Two enrolled tablets of one consultant, talking to the store in-process.
struct TwoTablets {
    TwoTablets() {
        a.enrol(server, li);
        b.enrol(server, li);
    }
    // A prospect a registers and both tablets have synced; its id.
    std::string shared_prospect(const std::string& name, const std::string& phone) {
        const auto id = a.register_prospect(name, phone);
        need(a.sync(transport));
        need(b.sync(transport));
        return id;
    }
    // Moves one tablet's clock, and the store's with it, `ms` ahead.
    void later(Tablet& t, platform::EpochMs ms) {
        t.clock.advance(ms);
        server.clock.advance(ms);
    }
    TempDir dir;
    StoreFixture server{dir.path()};
    std::string li = server.add_consultant("李娜");
    Tablet a{dir.path(), "a"};
    Tablet b{dir.path(), "b"};
    InProcessTransport transport{server};
};

// Every synced record of a database as {table: {id: row}}; with an owner, only
// that consultant's records and the reference data.
nlohmann::json records_of(storage::RecordStore& records, storage::Database& db,
                          const std::string& owner_filter = "");
nlohmann::json outbox_of(Book& book);
// The seqs waiting in a tablet's outbox, oldest first.
std::vector<std::int64_t> waiting_seqs(Tablet& t);
// The seqs of a tablet's changes in the store's log, in log order.
std::vector<std::int64_t> logged_seqs(StoreFixture& server, Tablet& t);

}  // namespace forecourt::testing
