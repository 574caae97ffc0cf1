// The store server's request handler: routing, authentication and turning
// every outcome, expected or not, into a status and a JSON body.
#include "forecourt/sync/server/store_service.hpp"

#include <exception>
#include <utility>

#include "forecourt/sync/codec.hpp"
#include "service_support.hpp"

namespace forecourt::sync {

using detail::error_response;
using detail::wrong_method;

namespace {

constexpr std::string_view kAdminTokenPrefix = "admin.";

// A token device_for() may take; it refuses any other without reading the body.
bool may_be_device_token(std::string_view token) {
    return !token.empty() && !token.starts_with(kAdminTokenPrefix);
}

// Counts a request from its arrival until it holds the store's lock (or leaves).
class Arrival {
public:
    explicit Arrival(std::atomic<int>& count) : count_(&count) { count_->fetch_add(1); }
    Arrival(const Arrival&) = delete;
    Arrival& operator=(const Arrival&) = delete;
    ~Arrival() { settled(); }
    void settled() {
        if (count_) count_->fetch_sub(1);
        count_ = nullptr;
    }

private:
    std::atomic<int>* count_;
};

}  // namespace

StoreService::StoreService(store::StoreDatabase& store, Limits limits)
    : store_(&store), limits_(limits) {}

Reply StoreService::handle(const Request& request) {
    Arrival arrival(arriving_);
    auto decoded = decode_early(request);
    std::unique_lock lock(mutex_);
    arrival.settled();
    Reply reply = handle_locked(request, decoded);
    // What the request wrote is committed (and its pokes go out) whether or
    // not its page can be read.
    const auto page = std::exchange(page_to_read_, std::nullopt);
    if (!page || reply.response.status >= 300) return reply;
    if (after_writes_) after_writes_();
    // Alone, the page is read on the writer, whose cache is warm: a reader's
    // cache is dropped after every commit by another connection, and each
    // request that pulls commits the device's cursor first. When another
    // request waits, the page is read on a reader once the store is unlocked.
    if (arriving_.load() == 0) {
        reply.response = answer_with_page(*page, on_writer);
        return reply;
    }
    lock.unlock();
    reply.response = answer_with_page(*page, on_reader);
    return reply;
}

// Decoding a pushed batch reads only its body and the limits, so it is done
// before the store is locked: one device's batch is decoded while another's
// is applied. Who may send it is still checked first (route); a request
// without a device token is not decoded at all.
std::optional<StoreService::DecodedSync> StoreService::decode_early(const Request& request) const {
    try {
        const bool sync_post =
            request.method == "POST" && detail::split_target(request.target).first == "/v1/sync";
        if (sync_post && may_be_device_token(request.bearer_token))
            return decode_sync(request.body);
    } catch (const std::exception&) {
        // decoded again under the lock, where a throw is answered
    }
    return std::nullopt;
}

Reply StoreService::handle_locked(const Request& request, std::optional<DecodedSync>& decoded) {
    pokes_.clear();
    page_to_read_.reset();
    Reply reply;
    try {
        auto routed = route(request, decoded);
        if (routed.ok()) {
            reply.response = std::move(*routed);
            if (reply.response.status < 300) reply.pokes = std::move(pokes_);
        } else {
            reply.response = error_response(routed.error());
        }
    } catch (const std::exception&) {
        reply.response = error_response(make_error(ErrorCode::internal, "", ErrorDomain::sync));
    }
    pokes_.clear();
    return reply;
}

Response StoreService::answer_with_page(const PageToRead& page, Connection connection) {
    try {
        auto answer =
            connection == on_writer ? read_answer(page, store_->read_view()) : read_on_reader(page);
        return answer.ok() ? std::move(*answer) : error_response(answer.error());
    } catch (const std::exception&) {
        return error_response(make_error(ErrorCode::internal, "", ErrorDomain::sync));
    }
}

Result<std::unique_ptr<store::StoreReader>> StoreService::take_reader() {
    {
        std::lock_guard lock(readers_mutex_);
        if (!idle_readers_.empty()) {
            auto reader = std::move(idle_readers_.back());
            idle_readers_.pop_back();
            return reader;
        }
    }
    return store_->open_reader();
}

// A reader whose read failed is closed rather than used again.
Result<Response> StoreService::read_on_reader(const PageToRead& page) {
    if (before_reader_read_) before_reader_read_();
    FC_ASSIGN(auto reader, take_reader());
    FC_ASSIGN(auto answer, read_answer(page, reader->view()));
    std::lock_guard lock(readers_mutex_);
    idle_readers_.push_back(std::move(reader));
    return answer;
}

Result<Response> StoreService::read_answer(const PageToRead& p, store::ReadView view) {
    FC_ASSIGN(auto page, view.in_one_read([&] { return read_page(view, p.device, p.pull); }));
    return Response{200, encode(p.response, page)};
}

Result<std::string> StoreService::authenticate_device(std::string_view bearer_token) {
    std::lock_guard lock(mutex_);
    FC_ASSIGN(auto device, store_->devices().authenticate(bearer_token));
    return device.id;
}

StoreService::DecodedSync StoreService::decode_sync(std::string_view body) const {
    std::optional<std::int64_t> refused;
    auto request = decode_sync_request(body, limits_, &refused);
    return DecodedSync{std::move(request), refused};
}

Result<Response> StoreService::route(const Request& r, std::optional<DecodedSync>& decoded) {
    const auto [path, query] = detail::split_target(r.target);
    if (path == "/v1/health") {
        if (r.method != "GET") return wrong_method("GET", path);
        return health();
    }
    if (path == "/v1/enrol") {
        if (r.method != "POST") return wrong_method("POST", path);
        FC_ASSIGN(auto enrolment, decode_enrol_request(r.body, limits_));
        return enrol(enrolment);
    }
    if (path == "/v1/sync") {
        if (r.method != "POST") return wrong_method("POST", path);
        FC_ASSIGN(auto device, device_for(r));
        if (!decoded) decoded.emplace(decode_sync(r.body));
        if (!decoded->request.ok()) {
            if (!decoded->refused) return decoded->request.take_error();
            // Applies nothing, like any 422, and names the change at fault.
            return Response{422, encode_error(decoded->request.error(), decoded->refused)};
        }
        return sync(device, *decoded->request);
    }
    if (path == "/v1/events")
        return make_error(ErrorCode::protocol, "GET /v1/events is a WebSocket upgrade", ErrorDomain::sync);
    constexpr std::string_view kAdmin = "/v1/admin/";
    if (path.starts_with(kAdmin)) {
        FC_TRY(require_admin(r));
        return route_admin(r, path.substr(kAdmin.size()));
    }
    return make_error(ErrorCode::not_found, "no endpoint " + detail::quoted_path(path), ErrorDomain::sync);
}

Result<Response> StoreService::route_admin(const Request& r, std::string_view path) {
    const auto [unused, query] = detail::split_target(r.target);
    const bool get = r.method == "GET", post = r.method == "POST";
    if (path == "consultants" && get) return list_consultants();
    if (path == "consultants" && post) {
        FC_ASSIGN(auto input, decode_consultant_input(r.body, limits_));
        return add_consultant(input);
    }
    if (auto id = detail::deactivate_target(path); id && post) return deactivate_consultant(*id);
    if (path == "vehicle-models" && post) {
        FC_ASSIGN(auto models, decode_vehicle_models(r.body, limits_));
        return load_vehicle_models(models);
    }
    if (path == "enrolment-codes" && post) {
        FC_ASSIGN(auto input, decode_issue_code_request(r.body, limits_));
        return issue_code(input);
    }
    if (path == "handover" && post) {
        FC_ASSIGN(auto input, decode_handover_request(r.body, limits_));
        return handover(input);
    }
    if (path == "devices" && get) return list_devices();
    if (path == "conflicts" && get) return list_conflicts(query);
    if (path == "review" && get) return list_review(query);
    if (detail::is_admin_path(path)) return wrong_method(get ? "POST" : "GET", r.target);
    return make_error(ErrorCode::not_found, "no admin endpoint " + detail::quoted_path(path),
                      ErrorDomain::sync);
}

Result<store::DeviceRow> StoreService::device_for(const Request& request) {
    if (request.bearer_token.empty())
        return make_error(ErrorCode::unauthorized,
                          "a device token is required (Authorization: Bearer <token>)", ErrorDomain::sync);
    if (request.bearer_token.starts_with(kAdminTokenPrefix))
        return make_error(ErrorCode::forbidden, "the admin token cannot sync; use a device token",
                          ErrorDomain::sync);
    return store_->devices().authenticate(request.bearer_token);
}

Status StoreService::require_admin(const Request& request) {
    if (request.bearer_token.empty())
        return make_error(ErrorCode::unauthorized, "the admin token is required", ErrorDomain::sync);
    FC_ASSIGN(bool admin, store_->check_admin_token(request.bearer_token));
    if (admin) return ok_status();
    if (!request.bearer_token.starts_with(kAdminTokenPrefix))
        return make_error(ErrorCode::forbidden, "a device token cannot use the admin API",
                          ErrorDomain::sync);
    return make_error(ErrorCode::unauthorized, "the admin token is not valid", ErrorDomain::sync);
}

Response StoreService::health() {
    HealthResponse h;
    h.store_id = store_->identity().store_id;
    h.server_time = store_->clock().now_ms();
    return Response{200, encode(h)};
}

Status StoreService::queue_pokes(const Audiences& touched, const std::string& except_device) {
    if (touched.empty()) return ok_status();
    FC_ASSIGN(std::int64_t head, store_->log().head());
    std::set<std::string> devices;
    for (const auto& audience : touched) {
        FC_ASSIGN(auto ids, store_->devices().reachable(audience));
        devices.insert(ids.begin(), ids.end());
    }
    devices.erase(except_device);
    for (const auto& id : devices) pokes_.push_back(DevicePoke{id, Poke{head}});
    return ok_status();
}

}  // namespace forecourt::sync
