// Sync test fixtures: store server, tablets and an in-process transport.
#include "sync_fixture.hpp"

#include "forecourt/core/storage/database.hpp"

namespace forecourt::testing {

using nlohmann::json;

StoreFixture::StoreFixture(const std::filesystem::path& dir, platform::EpochMs start) : clock(start, 480) {
    store::StoreOptions options;
    options.path = (dir / "store.db").string();
    options.clock = &clock;
    options.synchronous = storage::Synchronous::off;
    store = need(store::StoreDatabase::create(options, "Forecourt Motors"), "create store");
    auto tx = need(storage::Transaction::begin(store->db()));
    admin_token = need(store->issue_admin_token(tx));
    need(tx.commit());
    service = std::make_unique<sync::StoreService>(*store);
}

sync::Reply StoreFixture::call(const std::string& method, const std::string& target,
                               const std::string& body, const std::string& token) {
    auto reply = service->handle(sync::Request{method, target, token, body});
    pokes.insert(pokes.end(), reply.pokes.begin(), reply.pokes.end());
    return reply;
}

json StoreFixture::admin(const std::string& method, const std::string& target, const json& body) {
    json message = body;
    message["protocol"] = 1;
    auto reply = call(method, target, method == "GET" ? "" : message.dump(), admin_token);
    if (reply.response.status >= 300)
        throw std::runtime_error(target + " answered " + std::to_string(reply.response.status) + ": " +
                                 reply.response.body);
    return json::parse(reply.response.body);
}

std::string StoreFixture::add_consultant(const std::string& name) {
    return admin("POST", "/v1/admin/consultants", {{"name", name}})["consultant"]["id"];
}

std::string StoreFixture::issue_code(const std::string& consultant_id) {
    return admin("POST", "/v1/admin/enrolment-codes", {{"consultant_id", consultant_id}})["code"];
}

Result<sync::Response> InProcessTransport::send(const sync::Request& request) {
    ++sent;
    const auto offline = [] {
        return make_error(ErrorCode::offline, "the store server did not answer", ErrorDomain::sync);
    };
    if (drop_request && drop_request()) return offline();
    auto reply = server_->call(request.method, request.target, request.body, request.bearer_token);
    if (duplicate && duplicate())
        reply = server_->call(request.method, request.target, request.body, request.bearer_token);
    if (drop_response && drop_response()) return offline();
    return reply.response;
}

Tablet::Tablet(const std::filesystem::path& dir, const std::string& name, platform::EpochMs start,
               storage::Synchronous synchronous, sync::ClientOptions client_options)
    : clock(start, 480), path_((dir / (name + ".book")).string()), synchronous_(synchronous), options_(client_options) {
    BookOptions options;
    options.path = path_;
    options.clock = &clock;
    options.synchronous = synchronous_;
    book_ = need(Book::create(options, NewBook{name, "", ""}), "create book");
    client_ = std::make_unique<sync::SyncClient>(*book_, options_);
}

void Tablet::reopen() {
    client_.reset();
    book_.reset();
    BookOptions options;
    options.path = path_;
    options.clock = &clock;
    options.synchronous = synchronous_;
    book_ = need(Book::open(options), "reopen book");
    client_ = std::make_unique<sync::SyncClient>(*book_, options_);
}

void Tablet::enrol(StoreFixture& server, const std::string& consultant_id) {
    const auto code = server.issue_code(consultant_id);
    auto request = client_->enrol_request(code, "tablet of " + book_->identity().consultant_name);
    auto reply = server.call(request.method, request.target, request.body, "");
    need(client_->complete_enrolment(reply.response, "tablet", "https://store.test", "pin"), "enrol");
    reopen();
}

std::string Tablet::register_prospect(const std::string& name, const std::string& phone) {
    ProspectInput p;
    p.name = name;
    p.phones = {phone};
    p.grade = "B";
    p.source = "walk_in";
    p.allow_duplicate_phone = true;
    return need(book_->register_prospect(p), "register prospect");
}

json records_of(storage::RecordStore& records, storage::Database& db, const std::string& owner_filter) {
    json out = json::object();
    for (const auto& table : model::synced_tables()) {
        auto q = need(storage::Query::prepare(db, "SELECT id FROM " + std::string(table.name) + " ORDER BY id"));
        std::vector<std::string> ids;
        while (need(q->step())) ids.push_back(q->text(0));
        for (const auto& id : ids) {
            auto row = need(records.read(table, id));
            const bool reference = table.kind == model::TableKind::reference;
            if (!owner_filter.empty() && !reference && (*row)["owner_id"] != owner_filter) continue;
            out[std::string(table.name)][id] = *row;
        }
    }
    return out;
}

json outbox_of(Book& book) {
    json out = json::array();
    for (const auto& e : need(book.changes().pending(0, 1'000'000)))
        out.push_back({{"seq", e.seq}, {"table", e.table}, {"id", e.record_id},
                       {"fields", storage::outbox_fields_to_json(e.fields)}});
    return out;
}

std::vector<std::int64_t> waiting_seqs(Tablet& t) {
    std::vector<std::int64_t> seqs;
    for (const auto& e : need(t.book().changes().pending(0, 10'000))) seqs.push_back(e.seq);
    return seqs;
}

std::vector<std::int64_t> logged_seqs(StoreFixture& server, Tablet& t) {
    std::vector<std::int64_t> seqs;
    for (const auto& e : need(server.store->log().by_origin(need(t.client().state()).device_id)))
        seqs.push_back(e.origin_seq);
    return seqs;
}

}  // namespace forecourt::testing
