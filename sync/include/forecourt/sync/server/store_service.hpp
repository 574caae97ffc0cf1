// The store server's request handler, sans I/O: a pure function of (method,
// target, bearer token, body) and the store's state to (status, JSON body),
// plus the pokes the transport should send over devices' WebSockets. The
// HTTPS/WebSocket layer wraps it; tests and fuzzers call it directly.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "forecourt/core/store/store_database.hpp"
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/exchange.hpp"
#include "forecourt/sync/protocol.hpp"

namespace forecourt::sync {

// "This device's scope changed up to poke.cursor: tell it to sync."
struct DevicePoke {
    std::string device_id;
    Poke poke;
};

struct Reply {
    Response response;
    std::vector<DevicePoke> pokes;  // send each as encode(poke) on the device's sockets
};

class StoreService {
public:
    explicit StoreService(store::StoreDatabase& store, Limits limits = {});

    // Every endpoint of sync/PROTOCOL.md. Never throws; thread-safe (requests
    // are applied one at a time, each in its own transaction; a sync
    // request's body is decoded before that, while others are applied).
    Reply handle(const Request& request);

    // For the WebSocket upgrade on GET /v1/events: the device a bearer token
    // belongs to (active, or revoked but not yet wiped).
    Result<std::string> authenticate_device(std::string_view bearer_token);

    const Limits& limits() const { return limits_; }

    // For tests, set before requests are handled; each is called on the
    // handling thread of a request that pulls. after_writes: its writes are
    // committed and the store is still locked. before_reader_read: its page is
    // about to be read on a reader (the store already unlocked).
    void set_after_writes(std::function<void()> hook) { after_writes_ = std::move(hook); }
    void set_before_reader_read(std::function<void()> hook) {
        before_reader_read_ = std::move(hook);
    }
    // Requests handled now that do not hold the store's lock yet.
    int arriving() const { return arriving_.load(); }

private:
    using Audiences = std::set<std::optional<std::string>>;
    // Within one pushed batch: whether its entries may be echoes, and the
    // records with an entry that goes back to the pushing device.
    struct Echoes {
        bool possible = false;
        std::set<RecordKey> sent_back;
        // Whether the entry of a change to `record` is an echo; once one is
        // not, the batch's later entries of that record are not either.
        bool echo(RecordKey record, bool taken_as_sent) {
            if (possible && taken_as_sent && !sent_back.contains(record)) return true;
            sent_back.insert(std::move(record));
            return false;
        }
    };

    // A sync request's body, decoded (and the seq of the change at fault, if one is).
    struct DecodedSync {
        Result<SyncRequest> request;
        std::optional<std::int64_t> refused;
    };
    DecodedSync decode_sync(std::string_view body) const;
    std::optional<DecodedSync> decode_early(const Request& request) const;
    Reply handle_locked(const Request& request, std::optional<DecodedSync>& decoded);

    // `decoded`: the body of a POST /v1/sync, decoded before the lock was taken.
    Result<Response> route(const Request& request, std::optional<DecodedSync>& decoded);
    Result<Response> route_admin(const Request& request, std::string_view path);
    Result<store::DeviceRow> device_for(const Request& request);
    Status require_admin(const Request& request);

    // POST /v1/sync. The page of a request that pulls is not read here: sync()
    // leaves it in page_to_read_, and handle() reads it on the writer, or on
    // a reader once the store is unlocked when other requests wait for it.
    struct PageToRead {
        store::DeviceRow device;
        PullRequest pull;
        SyncResponse response;  // the rest of the answer
    };
    Result<Response> sync(const store::DeviceRow& device, const SyncRequest& request);
    enum Connection { on_writer, on_reader };
    Response answer_with_page(const PageToRead& page, Connection connection);
    Result<Response> read_on_reader(const PageToRead& page);
    Result<Response> read_answer(const PageToRead& page, store::ReadView view);
    Result<std::unique_ptr<store::StoreReader>> take_reader();
    Result<PushResult> apply_push(storage::Transaction& tx, const store::DeviceRow& device,
                                  const std::vector<Change>& changes, std::int64_t cursor,
                                  Audiences& touched);
    Status apply_change(storage::Transaction& tx, const store::DeviceRow& device,
                        const Change& change, PushResult& result, Echoes& echoes, Audiences& touched);
    Status keep_for_review(storage::Transaction& tx, const store::DeviceRow& device,
                           const Change& change, std::string reason, bool applied);
    Result<std::string> owner_for_new(const model::TableSpec& table, const Change& change,
                                      const store::DeviceRow& device);
    Result<EncodedPullPage> read_page(store::ReadView& db, const store::DeviceRow& device,
                                      const PullRequest& pull);
    Result<EncodedPullPage> read_snapshot_page(store::ReadView& db, const store::DeviceRow& device,
                                               const PullRequest& pull);

    // POST /v1/enrol, GET /v1/health
    Result<Response> enrol(const EnrolRequest& request);
    Response health();

    // Admin API
    Result<Response> add_consultant(const ConsultantInput& input);
    Result<Response> deactivate_consultant(const std::string& id);
    Result<Response> list_consultants();
    Result<Response> load_vehicle_models(const std::vector<VehicleModelInput>& models);
    Result<Response> issue_code(const IssueCodeRequest& request);
    Result<Response> handover(const HandoverRequest& request);
    Result<Response> list_devices();
    Result<Response> list_conflicts(std::string_view query);
    Result<Response> list_review(std::string_view query);

    // Writes by the store itself (reference data, ownership), logged for pulls.
    Status write_as_store(storage::Transaction& tx, const model::TableSpec& table,
                          const std::string& id, const nlohmann::json& fields, Audiences& touched);
    Status log_snapshot(storage::Transaction& tx, const model::TableSpec& table,
                        const std::string& id, const std::string& owner);
    Result<ConsultantInfo> consultant(const std::string& id);
    Status queue_pokes(const Audiences& touched, const std::string& except_device);

    store::StoreDatabase* store_;
    Limits limits_;
    std::mutex mutex_;
    std::vector<DevicePoke> pokes_;  // gathered while handling one request
    std::atomic<int> arriving_{0};  // see arriving()
    std::function<void()> after_writes_;
    std::function<void()> before_reader_read_;
    std::optional<PageToRead> page_to_read_;  // set by sync(), taken by handle() under the lock
    // Readers not in use; one is opened whenever every other is busy, so
    // there are at most as many as requests ever handled at once.
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<store::StoreReader>> idle_readers_;
};

}  // namespace forecourt::sync
