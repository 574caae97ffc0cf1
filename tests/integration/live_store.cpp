// Integration fixtures: a live store server and tablets syncing with it.
#include "live_store.hpp"

#include <chrono>

#include "forecourt/core/storage/database.hpp"
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/net/certificate.hpp"

namespace forecourt::testing {

using nlohmann::json;
using namespace std::chrono_literals;

const sync::net::TlsIdentity& test_identity() {
    static const sync::net::TlsIdentity identity =
        need(sync::net::generate_self_signed({}), "generate certificate");
    return identity;
}

const std::string& test_fingerprint() {
    static const std::string fingerprint =
        need(sync::net::certificate_fingerprint(test_identity().certificate_pem));
    return fingerprint;
}

LiveStore::LiveStore(const TempDir& dir) : clock(platform::system_clock().now_ms()) {
    store::StoreOptions options;
    options.path = dir.file("store.db");
    options.clock = &clock;
    options.synchronous = storage::Synchronous::normal;
    store = need(store::StoreDatabase::create(options, "Forecourt Motors"), "create store");
    auto tx = need(storage::Transaction::begin(store->db()));
    admin_token_ = need(store->issue_admin_token(tx));
    need(tx.commit());
    service = std::make_unique<sync::StoreService>(*store);
    sync::net::StoreServerOptions server;
    server.address = "127.0.0.1";
    server.identity = test_identity();
    server.request_timeout = 2s;
    server.shutdown_grace = 2s;
    server.handler = [this](const sync::net::HttpRequest& r) { return handle(r); };
    server.authenticate_socket = [this](const std::string& token) -> std::optional<std::string> {
        auto device = service->authenticate_device(token);
        if (!device.ok()) return std::nullopt;
        return device.value();
    };
    server_ = need(sync::net::StoreServer::start(std::move(server)), "start server");
}

LiveStore::~LiveStore() { server_->stop(); }

sync::net::HttpResponse LiveStore::handle(const sync::net::HttpRequest& request) {
    if (before)
        if (auto answer = before(request)) return *answer;
    auto reply = service->handle(sync::Request{request.method, request.target, request.bearer_token,
                                               request.body});
    ++handled;
    for (const auto& poke : reply.pokes) server_->poke(poke.device_id, sync::encode(poke.poke));
    if (lose_response && lose_response(request)) {
        sync::net::HttpResponse cut;  // committed, then the connection dies unanswered
        cut.drop_connection = true;
        return cut;
    }
    sync::net::HttpResponse response;
    response.status = reply.response.status;
    response.body = std::move(reply.response.body);
    return response;
}

sync::net::ClientOptions LiveStore::client_options(std::string fingerprint) const {
    sync::net::ClientOptions options;
    options.host = "127.0.0.1";
    options.port = port();
    options.pinned_fingerprint = std::move(fingerprint);
    options.connect_timeout = 2s;
    options.io_timeout = 5s;
    return options;
}

json LiveStore::admin(const std::string& method, const std::string& target, json body) {
    body["protocol"] = 1;
    auto reply = service->handle(sync::Request{method, target, admin_token_,
                                               method == "GET" ? "" : body.dump()});
    if (reply.response.status >= 300)
        throw std::runtime_error(target + ": " + reply.response.body);
    return json::parse(reply.response.body);
}

std::string LiveStore::add_consultant(const std::string& name) {
    return admin("POST", "/v1/admin/consultants", {{"name", name}})["consultant"]["id"];
}

std::string LiveStore::issue_code(const std::string& consultant_id) {
    return admin("POST", "/v1/admin/enrolment-codes", {{"consultant_id", consultant_id}})["code"];
}

json LiveStore::records() { return records_of(store->records(), store->db()); }

LiveTablet::LiveTablet(const TempDir& dir, const std::string& name) : path_(dir.file(name + ".book")) {
    BookOptions options;
    options.path = path_;
    options.synchronous = storage::Synchronous::normal;
    book_ = need(Book::create(options, NewBook{name, "", ""}), "create book");
}

void LiveTablet::reopen() {
    book_.reset();
    BookOptions options;
    options.path = path_;
    options.synchronous = storage::Synchronous::normal;
    book_ = need(Book::open(options), "reopen book");
}

Status LiveTablet::enrol(LiveStore& store, const std::string& code, const std::string& fingerprint) {
    transport_ = std::make_unique<NetTransport>(store.client_options(fingerprint));
    sync::SyncClient client(*book_);
    FC_ASSIGN(auto answer, transport_->send(client.enrol_request(code, "tablet")));
    FC_TRY(client.complete_enrolment(answer, "tablet", store.url(), fingerprint));
    reopen();
    return ok_status();
}

void LiveTablet::enrol_for(LiveStore& store, const std::string& consultant_id) {
    need(enrol(store, store.issue_code(consultant_id)), "enrol");
}

Result<sync::SyncSummary> LiveTablet::sync() {
    sync::SyncClient client(*book_);
    return client.sync(*transport_);
}

std::string LiveTablet::token() {
    sync::SyncClient client(*book_);
    return need(client.state()).token;
}

std::string LiveTablet::register_prospect(const std::string& name, const std::string& phone) {
    ProspectInput p;
    p.name = name;
    p.phones = {phone};
    p.grade = "B";
    p.source = "walk_in";
    p.allow_duplicate_phone = true;
    return need(book_->register_prospect(p), "register prospect");
}

json LiveTablet::records() { return records_of(book_->records(), book_->db()); }

json records_of(storage::RecordStore& records, storage::Database& db) {
    json out = json::object();
    for (const auto& table : model::synced_tables()) {
        auto q = need(storage::Query::prepare(db, "SELECT id FROM " + std::string(table.name) + " ORDER BY id"));
        std::vector<std::string> ids;
        while (need(q->step())) ids.push_back(q->text(0));
        for (const auto& id : ids) out[std::string(table.name)][id] = *need(records.read(table, id));
    }
    return out;
}

}  // namespace forecourt::testing
