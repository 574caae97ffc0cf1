// Monday at the store: a real store server in this process on a TLS socket on
// 127.0.0.1, three devices enrolled over pinned HTTPS, offline edits of one
// customer on two of them, syncs in turn, the merged card and the conflicts log.
#include "story/sync_story.hpp"

#include <filesystem>
#include <map>
#include <memory>

#include "cli/output.hpp"
#include "cli/views.hpp"
#include "forecourt/core/hlc.hpp"
#include "server/admin_views.hpp"
#include "story/demo_store.hpp"
#include "story/demo_tablet.hpp"
#include "story/narrator.hpp"

namespace forecourt::cli {
namespace {

using nlohmann::json;

constexpr int kShanghai = 8 * 60;  // the store's UTC offset, in minutes

std::string counts(const sync::SyncSummary& s) {
    return "pushed " + std::to_string(s.pushed) + ", pulled " + std::to_string(s.pulled) +
           ", conflicts " + std::to_string(s.conflicts);
}

std::string subdir(const std::string& home, const char* name) {
    return (std::filesystem::path(home) / name).string();
}

class SyncStory {
  public:
    SyncStory(const std::string& home, std::ostream& out, bool as_json)
        : home_(home), clock_(0, kShanghai), narrator_(out, clock_, as_json) {}

    Status run(json& report) {
        FC_TRY(store_goes_live());
        FC_TRY(enrol_devices());
        FC_TRY(offline_edits());
        FC_TRY(sync_in_turn());
        FC_TRY(outcome(report));
        narrator_.chapter("Monday evening");
        at(18, 0);
        store_->stop();
        narrator_.step("the store server stops: requests finished, connections closed");
        if (narrator_.json())
            for (const auto& step : narrator_.steps()) report["steps"].push_back(step);
        return ok_status();
    }

  private:
    void at(int hour, int minute) {
        const auto monday = model::Date::parse("2025-11-24").value();  // the script's own date
        clock_.set(monday.start_ms(kShanghai) + (hour * 60LL + minute) * 60'000);
    }

    Result<std::unique_ptr<DemoTablet>> enrolled(std::unique_ptr<DemoTablet> tablet,
                                                 const std::string& consultant_id);
    Status store_goes_live();
    Status enrol_devices();
    Status offline_edits();
    Status sync_in_turn();
    Status outcome(json& report);
    Result<json> device_statuses();
    std::string who_wrote(const json& side) const;
    void explain_conflicts(const json& conflicts);

    std::string home_;
    platform::ManualClock clock_;  // before narrator_, which reads it
    Narrator narrator_;
    std::unique_ptr<DemoStore> store_;
    std::unique_ptr<DemoTablet> tablet_, phone_, colleague_;
    std::string li_na_, zhang_wei_;  // consultant ids at the store
    std::string customer_;           // 王伟, edited on both of 李娜's devices
};

Status SyncStory::store_goes_live() {
    narrator_.chapter("Monday 2025-11-24: the store server goes live, the devices enrol");
    at(8, 30);
    FC_ASSIGN(store_, DemoStore::start(subdir(home_, "store"), clock_));
    narrator_.step("the manager starts the store server at " + store_->url() +
                   " (TLS on 127.0.0.1, a self-signed certificate)");
    narrator_.step("  every device pins its fingerprint: " + store_->fingerprint());
    at(8, 32);
    FC_ASSIGN(li_na_, store_->add_consultant("李娜"));
    FC_ASSIGN(zhang_wei_, store_->add_consultant("张伟"));
    narrator_.step("the manager adds consultants 李娜 and 张伟 through the admin API");
    return ok_status();
}

Result<std::unique_ptr<DemoTablet>> SyncStory::enrolled(std::unique_ptr<DemoTablet> tablet,
                                                        const std::string& consultant_id) {
    FC_ASSIGN(auto code, store_->enrolment_code(consultant_id));
    FC_ASSIGN(auto enrolment, tablet->enrol(store_->url(), store_->fingerprint(), code));
    narrator_.step(tablet->device_name() + " enrols with the one-time code " + code +
                       " over HTTPS, pinning the fingerprint",
                   enrolment.device_id);
    return tablet;
}

Status SyncStory::enrol_devices() {
    at(8, 40);
    FC_ASSIGN(auto hers, DemoTablet::open(home_, clock_, "李娜's tablet"));
    FC_ASSIGN(tablet_, enrolled(std::move(hers), li_na_));
    FC_ASSIGN(auto synced, tablet_->sync());
    narrator_.step("李娜's tablet syncs: " + counts(synced) +
                   " — the weekend's offline work is at the store now");
    at(8, 50);
    FC_ASSIGN(auto phone,
              DemoTablet::create(subdir(home_, "phone"), clock_, "李娜", "李娜's phone"));
    FC_ASSIGN(phone_, enrolled(std::move(phone), li_na_));
    FC_ASSIGN(synced, phone_->sync());
    narrator_.step("李娜's phone, a second device of hers with a new book, syncs: " +
                   counts(synced) + " — her customers and their history");
    at(9, 0);
    FC_ASSIGN(auto his_tablet,
              DemoTablet::create(subdir(home_, "zhang-wei"), clock_, "张伟", "张伟's tablet"));
    FC_ASSIGN(colleague_, enrolled(std::move(his_tablet), zhang_wei_));
    FC_ASSIGN(synced, colleague_->sync());
    FC_ASSIGN(auto his, colleague_->book().list({}));
    narrator_.step("张伟's tablet syncs: " + counts(synced) + " — the store's consultants, and " +
                   std::to_string(his.size()) + " customers: none of 李娜's");
    narrator_.step(
        "  only a consultant's own devices receive her customers, so the customer "
        "edited below is on 李娜's tablet and her phone");
    return ok_status();
}

Status SyncStory::offline_edits() {
    narrator_.chapter("Monday, offline: one customer, edited on both of 李娜's devices");
    FC_ASSIGN(auto found, tablet_->book().find("王伟"));
    if (found.empty()) return make_error(ErrorCode::not_found, "the demo's book has no 王伟");
    customer_ = found.front().id;
    at(10, 0);
    FC_ASSIGN(auto visit,
              tablet_->book().record_contact(
                  {customer_, "visit", "promote_deal", "wants the X5 in grey and will pay in full",
                   std::nullopt, std::nullopt, std::nullopt, std::nullopt}));
    narrator_.step(
        "tablet, at 王伟's office with no signal: visit recorded — the X5 in grey, "
        "paid in full",
        visit);
    at(10, 5);
    FC_TRY(tablet_->book().edit_card(customer_, {{"budget", 280'000}, {"payment_method", "cash"}}));
    narrator_.step("  tablet: budget ¥250,000 → ¥280,000; payment: full payment");
    at(11, 30);
    FC_ASSIGN(auto call, phone_->book().record_contact(
                             {customer_, "phone_call", "collect_info",
                              "asks whether the 7-seat X5 fits his budget", std::nullopt,
                              std::nullopt, std::nullopt, std::nullopt}));
    narrator_.step(
        "phone, in an underground car park: 王伟 calls about the 7-seat X5; call "
        "recorded",
        call);
    at(11, 35);
    FC_TRY(phone_->book().edit_card(
        customer_, {{"budget", 300'000}, {"household_notes", "two children; needs 7 seats"}}));
    narrator_.step("  phone: budget ¥250,000 → ¥300,000; household: two children; needs 7 seats");
    narrator_.step("neither device has seen the other's edits: two budgets for one customer");
    return ok_status();
}

Status SyncStory::sync_in_turn() {
    narrator_.chapter("Monday noon: back in signal, the devices sync in turn");
    at(12, 0);
    FC_ASSIGN(auto synced, phone_->sync());
    narrator_.step("the phone syncs first: " + counts(synced));
    at(12, 30);
    FC_ASSIGN(synced, tablet_->sync());
    narrator_.step("the tablet syncs: " + counts(synced) +
                   " — both changed the budget; the later edit (the phone's, 11:35) wins, "
                   "whichever arrives first");
    at(12, 31);
    FC_ASSIGN(synced, phone_->sync());
    narrator_.step("the phone syncs again: " + counts(synced) +
                   " — the tablet's visit and payment method");
    at(12, 32);
    FC_ASSIGN(synced, tablet_->sync());
    narrator_.step("the tablet syncs again: " + counts(synced) + " — nothing left to exchange");
    return ok_status();
}

Result<json> SyncStory::device_statuses() {
    json statuses = json::array();
    for (auto* device : {tablet_.get(), phone_.get(), colleague_.get()}) {
        FC_ASSIGN(auto status, device->status());
        statuses.push_back(std::move(status));
    }
    return statuses;
}

// "李娜's phone at 11:35": the device and the time a field version was written.
std::string SyncStory::who_wrote(const json& side) const {
    const auto version = Version::parse(side.value("version", std::string()));
    if (!version) return "?";
    std::string device = version->replica;
    for (auto* d : {tablet_.get(), phone_.get(), colleague_.get()})
        if (d->device_id() == version->replica) device = d->device_name();
    const auto written = static_cast<platform::EpochMs>(version->hlc.physical_ms());
    return device + " at " + local_time_of_day(written, kShanghai);
}

void SyncStory::explain_conflicts(const json& conflicts) {
    auto& out = narrator_.out();
    for (const auto& c : conflicts) {
        const std::string record = c.value("record_id", "") == customer_ ? "王伟" : "a record";
        out << "  " << record << "'s " << c.value("field", "") << ": kept "
            << c["winner"]["value"].dump() << " (" << who_wrote(c["winner"]) << "), overwritten "
            << c["loser"]["value"].dump() << " (" << who_wrote(c["loser"]) << ")\n";
    }
    out << "  The overwritten value stays in the log with the device that wrote it and when:\n"
        << "  nothing is lost, and the manager sees every such decision here.\n";
}

Status SyncStory::outcome(json& report) {
    FC_ASSIGN(auto on_tablet, tablet_->book().card(customer_));
    FC_ASSIGN(auto on_phone, phone_->book().card(customer_));
    const bool identical = json(on_tablet) == json(on_phone);
    FC_ASSIGN(auto conflicts, store_->admin("GET", "/v1/admin/conflicts?limit=500"));
    FC_ASSIGN(auto statuses, device_statuses());
    if (narrator_.json()) {
        report["sync"] = {{"server", store_->url()},
                          {"fingerprint", store_->fingerprint()},
                          {"devices", statuses},
                          {"customer_id", customer_},
                          {"cards", {{"tablet", on_tablet}, {"phone", on_phone}}},
                          {"identical", identical},
                          {"conflicts", conflicts["conflicts"]}};
        return ok_status();
    }
    auto& out = narrator_.out();
    print_title(out, "王伟's card on 李娜's tablet, after sync");
    print_card(out, on_tablet, kShanghai);
    print_title(out, "王伟's card on 李娜's phone, after sync");
    print_card(out, on_phone, kShanghai);
    out << (identical ? "\n  The two cards are identical: the visit and the call once each, the "
                        "phone's budget and household, the tablet's payment method.\n"
                      : "\n  The two cards differ: the devices have not converged.\n");
    print_title(out, "What the manager sees: forecourt admin conflicts");
    print_conflicts(out, conflicts, kShanghai);
    explain_conflicts(conflicts["conflicts"]);
    print_title(out, "The devices' sync status");
    Table table({"DEVICE", "CONSULTANT", "STATUS", "PUSHED", "PULLED", "CONFLICTS", "PENDING"});
    for (const auto& s : statuses)
        table.add_row({s["device"].get<std::string>(), s["consultant"].get<std::string>(),
                       s["status"].get<std::string>(), s["pushed"].dump(), s["pulled"].dump(),
                       s["conflicts"].dump(), s["pending"].dump()});
    table.print(out);
    return ok_status();
}

}  // namespace

Status run_sync_story(const std::string& home, std::ostream& out, bool json,
                      nlohmann::json& report) {
    SyncStory story(home, out, json);
    return story.run(report);
}

}  // namespace forecourt::cli
