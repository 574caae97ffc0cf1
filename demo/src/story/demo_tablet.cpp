// The demo's devices: books opened through the CLI's session, enrolled and
// synced over the same pinned HTTPS transport as the tablet commands.
#include "story/demo_tablet.hpp"

#include "story/consultant_day.hpp"
#include "tablet/sync_commands.hpp"
#include "tablet/sync_transport.hpp"

namespace forecourt::cli {
namespace {

SessionOptions demo_session(const std::string& home, const platform::Clock& clock) {
    SessionOptions session{home, &clock, {}, BookProtection::encrypted};
    session.passphrase.given = kDemoPassphrase;
    return session;
}

}  // namespace

Result<std::unique_ptr<DemoTablet>> DemoTablet::open(const std::string& home,
                                                     const platform::Clock& clock,
                                                     const std::string& device_name) {
    std::unique_ptr<DemoTablet> tablet(new DemoTablet(demo_session(home, clock), device_name));
    FC_ASSIGN(tablet->book_, open_book(tablet->session_));
    return tablet;
}

Result<std::unique_ptr<DemoTablet>> DemoTablet::create(const std::string& home,
                                                       const platform::Clock& clock,
                                                       const std::string& consultant,
                                                       const std::string& device_name) {
    std::unique_ptr<DemoTablet> tablet(new DemoTablet(demo_session(home, clock), device_name));
    FC_ASSIGN(tablet->book_, create_book(tablet->session_, NewBook{consultant, "", ""}));
    return tablet;
}

Result<sync::EnrolResponse> DemoTablet::enrol(const std::string& server_url,
                                              const std::string& fingerprint,
                                              const std::string& code) {
    FC_ASSIGN(auto connection, connection_for(server_url, fingerprint));
    const std::string pin = connection.pinned_fingerprint;
    sync::SyncClient client(*book_);
    HttpsTransport transport(std::move(connection));
    FC_ASSIGN(auto answer, transport.send(client.enrol_request(code, device_name_)));
    FC_ASSIGN(auto enrolled, client.complete_enrolment(answer, device_name_, server_url, pin));
    // The book keeps its old identity in memory until it is opened again.
    book_.reset();
    FC_ASSIGN(book_, open_book(session_));
    device_id_ = enrolled.device_id;
    return enrolled;
}

Result<sync::SyncSummary> DemoTablet::sync() {
    sync::SyncClient client(*book_);
    FC_ASSIGN(auto state, client.state());
    FC_ASSIGN(auto summary, sync_once(client, state, false));
    totals_.rounds += summary.rounds;
    totals_.pushed += summary.pushed;
    totals_.pulled += summary.pulled;
    totals_.conflicts += summary.conflicts;
    totals_.revoked = totals_.revoked || summary.revoked;
    return summary;
}

Result<nlohmann::json> DemoTablet::status() {
    sync::SyncClient client(*book_);
    FC_ASSIGN(auto state, client.state());
    FC_ASSIGN(auto pending, book_->changes().pending_count());
    return nlohmann::json{{"device", device_name_},
                          {"device_id", state.device_id},
                          {"consultant", book_->identity().consultant_name},
                          {"status", state.status},
                          {"pending", pending},
                          {"cursor", state.cursor},
                          {"last_sync_at", state.last_sync_at ? nlohmann::json(*state.last_sync_at)
                                                              : nlohmann::json()},
                          {"pushed", totals_.pushed},
                          {"pulled", totals_.pulled},
                          {"conflicts", totals_.conflicts}};
}

}  // namespace forecourt::cli
