// The demo's store server: a real one, in this process, on a TLS socket on
// 127.0.0.1 with an ephemeral port, and the manager's admin calls over HTTPS.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "forecourt/sync/net/https_client.hpp"
#include "server/server_home.hpp"
#include "server/store_host.hpp"

namespace forecourt::cli {

class DemoStore {
  public:
    // Initialises a store in `dir` the way `server init` does, then runs it
    // as `server run` does; `clock` is the story's.
    static Result<std::unique_ptr<DemoStore>> start(const std::string& dir,
                                                    const platform::Clock& clock);
    ~DemoStore();  // stop()
    DemoStore(const DemoStore&) = delete;
    DemoStore& operator=(const DemoStore&) = delete;

    // "https://127.0.0.1:PORT"
    std::string url() const;
    const std::string& fingerprint() const { return fingerprint_; }

    // The admin API over the pinned HTTPS connection, with the manager's token.
    Result<nlohmann::json> admin(const std::string& method, const std::string& target,
                                 nlohmann::json body = nlohmann::json::object());
    Result<std::string> add_consultant(const std::string& name);
    Result<std::string> enrolment_code(const std::string& consultant_id);

    // Lets requests finish, then closes every connection. Idempotent.
    void stop();

  private:
    DemoStore() = default;

    std::unique_ptr<StoreHost> host_;
    std::unique_ptr<sync::net::HttpsClient> manager_;
    std::string fingerprint_;
    std::string admin_token_;
};

}  // namespace forecourt::cli
