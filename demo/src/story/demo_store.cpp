// Starting the demo's store server and calling its admin API as the manager.
#include "story/demo_store.hpp"

#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/protocol.hpp"

namespace forecourt::cli {

Result<std::unique_ptr<DemoStore>> DemoStore::start(const std::string& dir,
                                                    const platform::Clock& clock) {
    const ServerHome home{dir, &clock};
    FC_ASSIGN(auto initialized, initialize_store(home, "Forecourt Motors", "localhost"));
    FC_ASSIGN(auto store, open_store(home));
    HostOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    FC_ASSIGN(options.identity, load_identity(home));
    std::unique_ptr<DemoStore> demo(new DemoStore());
    FC_ASSIGN(demo->host_, StoreHost::start(std::move(store), std::move(options)));
    demo->fingerprint_ = initialized.fingerprint;
    demo->admin_token_ = initialized.admin_token;
    sync::net::ClientOptions manager;
    manager.host = "127.0.0.1";
    manager.port = demo->host_->port();
    manager.pinned_fingerprint = demo->fingerprint_;
    manager.user_agent = "forecourt-admin";
    demo->manager_ = std::make_unique<sync::net::HttpsClient>(std::move(manager));
    return demo;
}

DemoStore::~DemoStore() {
    stop();
}

void DemoStore::stop() {
    if (manager_) manager_->disconnect();
    if (host_) host_->stop();
}

std::string DemoStore::url() const {
    return "https://127.0.0.1:" + std::to_string(host_->port());
}

Result<nlohmann::json> DemoStore::admin(const std::string& method, const std::string& target,
                                        nlohmann::json body) {
    body["protocol"] = sync::kProtocolVersion;
    FC_ASSIGN(auto answer, manager_->request(method, target, admin_token_,
                                             method == "GET" ? std::string() : body.dump()));
    if (answer.status >= 300) return sync::decode_error(answer.status, answer.body);
    auto parsed = nlohmann::json::parse(answer.body, nullptr, false);
    if (!parsed.is_object())
        return make_error(ErrorCode::protocol,
                          "the store answered " + target + " with no JSON object",
                          ErrorDomain::sync);
    parsed.erase("protocol");
    return parsed;
}

Result<std::string> DemoStore::add_consultant(const std::string& name) {
    FC_ASSIGN(auto added, admin("POST", "/v1/admin/consultants", {{"name", name}}));
    return added["consultant"].value("id", std::string());
}

Result<std::string> DemoStore::enrolment_code(const std::string& consultant_id) {
    FC_ASSIGN(auto issued,
              admin("POST", "/v1/admin/enrolment-codes", {{"consultant_id", consultant_id}}));
    return issued.value("code", std::string());
}

}  // namespace forecourt::cli
