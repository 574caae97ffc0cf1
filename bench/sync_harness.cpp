// The loopback store server and HTTPS tablets of the sync and load benchmarks.
#include "sync_harness.hpp"

#include <fstream>

#include "forecourt/core/storage/transaction.hpp"
#include "forecourt/core/store/sync_state.hpp"
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/net/certificate.hpp"

namespace forecourt::bench {

namespace net = sync::net;

namespace {

// A seeded decision per sync request: cut it before applying, after, or not at all.
class CutPolicy {
  public:
    enum class Cut { none, before_apply, after_apply };
    CutPolicy(std::uint64_t seed, std::shared_ptr<CutCounts> counts)
        : seed_(seed), counts_(std::move(counts)) {}

    Cut decide(const net::HttpRequest& http) const {
        const double share = counts_->share.load();
        if (http.target != "/v1/sync" || share <= 0) return Cut::none;
        const auto n = static_cast<std::uint64_t>(counts_->sync_requests.fetch_add(1));
        const std::uint64_t draw = mix(seed_ + n);
        const double unit = static_cast<double>(draw >> 11) / static_cast<double>(1ULL << 53);
        if (unit >= share) return Cut::none;
        return (draw & 1) ? Cut::before_apply : Cut::after_apply;
    }
    CutCounts& counts() const { return *counts_; }

  private:
    static std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
        x += 0x9e3779b97f4a7c15ULL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        return x ^ (x >> 31);
    }
    std::uint64_t seed_;
    std::shared_ptr<CutCounts> counts_;
};

net::HttpResponse cut_connection() {
    net::HttpResponse response;
    response.drop_connection = true;
    return response;
}

net::RequestHandler store_handler(sync::StoreService& service,
                                  std::shared_ptr<std::atomic<net::StoreServer*>> poke_target,
                                  CutPolicy policy) {
    return [&service, poke_target, policy](const net::HttpRequest& http) {
        const auto cut = policy.decide(http);
        if (cut == CutPolicy::Cut::before_apply) {
            ++policy.counts().before_apply;
            return cut_connection();
        }
        auto reply = service.handle(
            sync::Request{http.method, http.target, http.bearer_token, http.body});
        if (auto* server = poke_target->load())
            for (const auto& p : reply.pokes) server->poke(p.device_id, sync::encode(p.poke));
        if (cut == CutPolicy::Cut::after_apply) {
            ++policy.counts().after_apply;
            return cut_connection();
        }
        net::HttpResponse response;
        response.status = reply.response.status;
        response.body = std::move(reply.response.body);
        return response;
    };
}

}  // namespace

Result<std::unique_ptr<LoopbackStore>> LoopbackStore::start(const LoopbackStoreOptions& options) {
    std::unique_ptr<LoopbackStore> s(new LoopbackStore());
    store::StoreOptions store_options;
    store_options.path = options.path;
    store_options.synchronous = options.synchronous;
    FC_ASSIGN(s->database_, store::StoreDatabase::create(store_options, "Forecourt Motors"));
    {
        FC_ASSIGN(auto tx, storage::Transaction::begin(s->database_->db()));
        FC_ASSIGN(s->admin_token_, s->database_->issue_admin_token(tx));
        FC_TRY(tx.commit());
    }
    s->service_ = std::make_unique<sync::StoreService>(*s->database_);
    net::CertificateRequest request;
    request.host_name = "store.bench";
    FC_ASSIGN(auto identity, net::generate_self_signed(request));
    FC_ASSIGN(s->fingerprint_, net::certificate_fingerprint(identity.certificate_pem));

    net::StoreServerOptions server;
    server.address = "127.0.0.1";
    server.identity = std::move(identity);
    server.threads = options.threads;
    server.max_connections = options.max_connections;
    s->poke_target_ = std::make_shared<std::atomic<net::StoreServer*>>(nullptr);
    server.handler = store_handler(*s->service_, s->poke_target_,
                                   CutPolicy(options.cut_seed, s->cuts_));
    s->cuts_->share = options.cut_share;
    server.authenticate_socket = [service = s->service_.get()](const std::string& token) {
        auto device = service->authenticate_device(token);
        return device.ok() ? std::optional<std::string>(*device) : std::nullopt;
    };
    FC_ASSIGN(s->server_, net::StoreServer::start(std::move(server)));
    s->poke_target_->store(s->server_.get());
    return s;
}

LoopbackStore::~LoopbackStore() {
    if (poke_target_) poke_target_->store(nullptr);
    if (server_) server_->stop();
}

net::ClientOptions LoopbackStore::client_options() const {
    net::ClientOptions options;
    options.host = "127.0.0.1";
    options.port = server_->port();
    options.pinned_fingerprint = fingerprint_;
    options.io_timeout = std::chrono::seconds(60);
    return options;
}

Result<nlohmann::json> LoopbackStore::admin(const std::string& target, nlohmann::json body) {
    body["protocol"] = sync::kProtocolVersion;
    auto reply = service_->handle(sync::Request{"POST", target, admin_token_, body.dump()});
    if (reply.response.status >= 300)
        return sync::decode_error(reply.response.status, reply.response.body);
    return nlohmann::json::parse(reply.response.body);
}

Result<std::string> LoopbackStore::add_consultant(const std::string& name) {
    FC_ASSIGN(auto answer, admin("/v1/admin/consultants", {{"name", name}}));
    return answer["consultant"]["id"].get<std::string>();
}

Result<std::string> LoopbackStore::issue_code(const std::string& consultant_id) {
    FC_ASSIGN(auto answer, admin("/v1/admin/enrolment-codes", {{"consultant_id", consultant_id}}));
    return answer["code"].get<std::string>();
}

Status BenchTablet::enrol(sync::Transport& transport, const std::string& code,
                          const std::string& url, const std::string& pin) {
    const std::string device_name = "bench tablet";
    FC_ASSIGN(auto response, transport.send(client->enrol_request(code, device_name)));
    FC_TRY(client->complete_enrolment(response, device_name, url, pin));
    client.reset();
    book.reset();
    FC_ASSIGN(book, Book::open(options));
    client = std::make_unique<sync::SyncClient>(*book);
    return ok_status();
}

Result<std::string> BenchTablet::token() {
    FC_ASSIGN(auto state, client->state());
    return state.token;
}

Result<BenchTablet> create_tablet(BookOptions options, const std::string& name) {
    BenchTablet t;
    t.options = std::move(options);
    FC_ASSIGN(t.book, Book::create(t.options, NewBook{name, "", ""}));
    t.client = std::make_unique<sync::SyncClient>(*t.book);
    return t;
}

Result<BenchTablet> open_tablet(BookOptions options) {
    BenchTablet t;
    t.options = std::move(options);
    FC_ASSIGN(t.book, Book::open(t.options));
    t.client = std::make_unique<sync::SyncClient>(*t.book);
    return t;
}

std::uint64_t peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == "VmHWM:") {
            std::uint64_t kib = 0;
            status >> kib;
            return kib;
        }
        status.ignore(1 << 12, '\n');
    }
    return 0;
}

}  // namespace forecourt::bench
