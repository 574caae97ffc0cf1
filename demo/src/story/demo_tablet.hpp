// One of the demo's devices: a consultant's encrypted book in its own home,
// enrolled with the demo's store server and synced with it the way
// `tablet enroll` and `tablet sync` do, keeping a tally of what it moved.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/book_session.hpp"
#include "forecourt/sync/client/sync_client.hpp"

namespace forecourt::cli {

class DemoTablet {
  public:
    // The book already in `home` (李娜's, from her day).
    static Result<std::unique_ptr<DemoTablet>> open(const std::string& home,
                                                    const platform::Clock& clock,
                                                    const std::string& device_name);
    // A new book in `home` for `consultant`.
    static Result<std::unique_ptr<DemoTablet>> create(const std::string& home,
                                                      const platform::Clock& clock,
                                                      const std::string& consultant,
                                                      const std::string& device_name);

    // Enrols with the one-time code over HTTPS, pinning `fingerprint`.
    Result<sync::EnrolResponse> enrol(const std::string& server_url, const std::string& fingerprint,
                                      const std::string& code);
    // One `tablet sync`: pushes the outbox, pulls what changed in scope.
    Result<sync::SyncSummary> sync();

    Book& book() { return *book_; }
    const std::string& device_name() const { return device_name_; }
    const std::string& device_id() const { return device_id_; }
    // Everything this device's syncs moved so far.
    const sync::SyncSummary& totals() const { return totals_; }
    // `tablet status` for this device, with the totals: as JSON.
    Result<nlohmann::json> status();

  private:
    DemoTablet(SessionOptions session, std::string device_name)
        : session_(std::move(session)), device_name_(std::move(device_name)) {}

    SessionOptions session_;
    std::string device_name_;
    std::string device_id_;
    std::unique_ptr<Book> book_;
    sync::SyncSummary totals_;
};

}  // namespace forecourt::cli
