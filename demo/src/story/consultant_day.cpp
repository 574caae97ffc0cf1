// 李娜's day: last week's prospects, then Saturday's walk-ins, phone-ins, a home
// visit, a call, a roadside test-drive event, a delivery and a lost deal, and
// finally the next morning's agenda, a customer card and the outbox.
#include "story/consultant_day.hpp"

#include <map>
#include <memory>

#include "cli/book_session.hpp"
#include "cli/output.hpp"
#include "cli/views.hpp"
#include "story/narrator.hpp"

namespace forecourt::cli {
namespace {

constexpr int kShanghai = 8 * 60;  // the store's UTC offset, in minutes
constexpr int kOutboxLimit = 100'000;

class ConsultantDay {
  public:
    ConsultantDay(const std::string& home, std::ostream& out, bool json_output)
        : home_(home), clock_(0, kShanghai), narrator_(out, clock_, json_output) {}

    Status run(nlohmann::json& report) {
        FC_TRY(last_week());
        FC_TRY(saturday_morning());
        FC_TRY(saturday_afternoon());
        FC_TRY(next_morning(report));
        if (narrator_.json()) report["steps"] = narrator_.steps();
        return ok_status();
    }

  private:
    // Moves the story's clock to a local time on a day.
    void at(const char* day, int hour, int minute) {
        const auto date = model::Date::parse(day).value();  // the script's own dates are valid
        clock_.set(date.start_ms(kShanghai) + (hour * 60LL + minute) * 60'000);
    }

    Status register_prospect(const ProspectInput& in, const std::string& story) {
        FC_ASSIGN(ids_[in.name], book_->register_prospect(in));
        narrator_.step(story, ids_[in.name]);
        return ok_status();
    }

    Status last_week();
    Status last_week_contacts();
    Status saturday_morning();
    Status saturday_afternoon();
    Status delivery();
    Status next_morning(nlohmann::json& report);
    Result<OutboxView> outbox();

    std::string home_;
    platform::ManualClock clock_;  // before narrator_, which reads it
    Narrator narrator_;
    std::unique_ptr<Book> book_;
    std::map<std::string, std::string> ids_;  // customer name -> id
};

ProspectInput prospect(const char* name, const char* phone, const char* grade, const char* source,
                       const char* model) {
    ProspectInput in;
    in.name = name;
    in.phones = {phone};
    in.grade = grade;
    in.source = source;
    in.models_of_interest = {model};
    return in;
}

Status ConsultantDay::last_week() {
    narrator_.chapter("Last week: 李娜 starts her book");
    at("2025-11-17", 9, 0);
    SessionOptions session{home_, &clock_, {}, BookProtection::encrypted};
    session.passphrase.given = kDemoPassphrase;
    FC_ASSIGN(book_, create_book(session, NewBook{"李娜", "", ""}));
    narrator_.step("李娜 opens a new book on her tablet (store: local, not enrolled yet)",
                   book_->identity().consultant_id);
    at("2025-11-17", 9, 20);
    auto zhou = prospect("周敏", "139 1762 0458", "H", "walk_in", "Horizon S3");
    zhou.payment_method = "loan";
    zhou.birthday = "1990-11-27";
    FC_TRY(register_prospect(zhou, "walk-in 周敏 registered, grade H: a Horizon S3 on a car loan"));
    at("2025-11-17", 10, 5);
    auto liu = prospect("刘洋", "+86 137 0016 2233", "H", "referral", "Horizon X5");
    liu.budget = 300'000;
    liu.address = "上海市浦东新区锦绣路 1001 弄";
    FC_TRY(register_prospect(liu,
                             "刘洋, referred by a customer, registered, grade H: Horizon X5, "
                             "budget ¥300,000"));
    at("2025-11-17", 11, 30);
    FC_TRY(register_prospect(prospect("孙悦", "(021) 6234 5678", "A", "phone_in", "Horizon X5"),
                             "phone-in 孙悦 registered, grade A"));
    at("2025-11-17", 14, 0);
    FC_TRY(register_prospect(prospect("吴刚", "186 2110 7788", "H", "internet", "Horizon S3"),
                             "internet lead 吴刚 registered, grade H"));
    at("2025-11-17", 15, 10);
    FC_TRY(register_prospect(prospect("郑强", "0086 135 8888 1212", "C", "phone_in", "Horizon S3"),
                             "phone-in 郑强 registered, grade C"));
    return last_week_contacts();
}

Status ConsultantDay::last_week_contacts() {
    at("2025-11-18", 10, 0);
    FC_ASSIGN(auto call,
              book_->record_contact({ids_["孙悦"], "phone_call", "collect_info",
                                     "asked about financing; wants to see the X5 again",
                                     std::nullopt, std::nullopt, "2025-11-21", std::nullopt}));
    narrator_.step("phone call with 孙悦 — follow-up planned for Fri 2025-11-21", call);
    at("2025-11-18", 16, 0);
    FC_ASSIGN(call, book_->record_contact({ids_["吴刚"], "phone_call", "promote_deal",
                                           "waiting for his wife's opinion", std::nullopt,
                                           std::nullopt, std::nullopt, std::nullopt}));
    narrator_.step("phone call with 吴刚: waiting for his wife's opinion", call);
    at("2025-11-19", 10, 0);
    FC_TRY(book_->change_grade(ids_["周敏"], "O", "order signed, deposit paid; delivery Saturday"));
    narrator_.step("周敏 signs the order: grade H → O, delivery on Saturday");
    return ok_status();
}

Status ConsultantDay::saturday_morning() {
    narrator_.chapter("Saturday 2025-11-22: a day in the field, offline");
    at("2025-11-22", 9, 10);
    auto wang = prospect("王伟", "138-0013-8000", "B", "walk_in", "Horizon X5");
    wang.budget = 250'000;
    FC_TRY(register_prospect(wang, "walk-in 王伟 registered at the showroom, grade B"));
    FC_ASSIGN(auto plan, book_->plan_follow_up({ids_["王伟"], "2025-11-24", "phone_call",
                                                "promote_deal", "send the X5 quote"}));
    narrator_.step("  follow-up planned for Mon 2025-11-24: send 王伟 the X5 quote", plan);
    at("2025-11-22", 9, 40);
    auto chen = prospect("陈静", "+86 159 0071 3344", "A", "phone_in", "Horizon S3");
    chen.company = "华东物流有限公司";
    FC_TRY(register_prospect(chen, "phone-in 陈静 (华东物流) registered, grade A"));
    FC_ASSIGN(plan, book_->plan_follow_up({ids_["陈静"], "2025-11-25", "visit", "collect_info",
                                           "bring the fleet price list"}));
    narrator_.step("  office visit planned for Tue 2025-11-25", plan);
    at("2025-11-22", 10, 30);
    FC_ASSIGN(auto visit,
              book_->record_contact({ids_["刘洋"], "visit", "promote_deal",
                                     "chose a pearl-white X5; order signed, deposit paid",
                                     std::nullopt, "O", "2025-11-29", std::nullopt}));
    narrator_.step("home visit to 刘洋: order signed — grade H → O, next contact Sat 2025-11-29",
                   visit);
    at("2025-11-22", 11, 45);
    FC_ASSIGN(auto call, book_->record_contact({ids_["郑强"], "phone_call", "keep_in_touch",
                                                "bought a cheaper used car last week", std::nullopt,
                                                std::nullopt, std::nullopt, std::nullopt}));
    narrator_.step("phone call with 郑强: he bought a cheaper used car", call);
    FC_TRY(book_->mark_lost(ids_["郑强"], "price", "chose a used car at about half our price"));
    narrator_.step("郑强 marked lost (战败): price");
    return ok_status();
}

Status ConsultantDay::saturday_afternoon() {
    at("2025-11-22", 13, 30);
    FC_ASSIGN(auto event, book_->create_event({"Roadside test drive — Century Park",
                                               "test_drive",
                                               "2025-11-22",
                                               "世纪公园 east gate",
                                               std::nullopt,
                                               {"Horizon X5", "Horizon S3"}}));
    narrator_.step("roadside test-drive event at Century Park opens (no signal there)", event);
    at("2025-11-22", 14, 0);
    FC_TRY(register_prospect(prospect("赵磊", "177 1234 9876", "C", "event", "Horizon X5"),
                             "赵磊 walks up at the event: registered, grade C"));
    at("2025-11-22", 14, 30);
    TestDriveInput drive;
    drive.customer_id = ids_["赵磊"];
    drive.model = "Horizon X5";
    drive.licence_checked = true;
    drive.started_at = clock_.now_ms() - 25 * 60'000;
    drive.ended_at = clock_.now_ms() - 5 * 60'000;
    drive.event_id = event;
    drive.route = "Century Avenue loop";
    drive.feedback = "liked the quiet cabin; worried about charging at home";
    drive.interest = 4;
    FC_ASSIGN(auto drive_id, book_->record_test_drive(drive));
    narrator_.step("赵磊 test-drives the Horizon X5: licence checked, 20 minutes, interest 4/5",
                   drive_id);
    FC_ASSIGN(auto plan, book_->plan_follow_up({ids_["赵磊"], "2025-11-23", "phone_call",
                                                "invitation", "invite him to see home charging"}));
    narrator_.step("  call planned for tomorrow: invite 赵磊 to the showroom", plan);
    return delivery();
}

Status ConsultantDay::delivery() {
    at("2025-11-22", 16, 0);
    VehicleInput car;
    car.model = "Horizon S3";
    car.vin = "LHGCV1658N8012345";
    car.plate = "沪A D5821";
    car.colour = "pearl white";
    car.purchase_date = "2025-11-19";
    car.delivery_date = "2025-11-22";
    car.insurance_expiry = "2026-11-21";
    car.next_maintenance = "2026-05-22";
    FC_TRY(book_->mark_won(ids_["周敏"], car));
    narrator_.step(
        "周敏 takes delivery of her Horizon S3: won, now a base customer "
        "(first maintenance 2026-05-22)");
    at("2025-11-22", 17, 30);
    FC_ASSIGN(auto pending, book_->changes().pending_count());
    narrator_.step("end of the day: " + std::to_string(pending) +
                   " changes recorded offline, none lost, all waiting for sync");
    return ok_status();
}

Result<OutboxView> ConsultantDay::outbox() {
    OutboxView view;
    FC_ASSIGN(view.pending, book_->changes().pending_count());
    FC_ASSIGN(view.oldest, book_->changes().pending(0, kOutboxLimit));
    return view;
}

Status ConsultantDay::next_morning(nlohmann::json& report) {
    at("2025-11-23", 8, 0);
    FC_ASSIGN(auto agenda, book_->agenda(book_->today()));
    FC_ASSIGN(auto card, book_->card(ids_["刘洋"]));
    FC_ASSIGN(auto pending, outbox());
    if (narrator_.json()) {
        report["agenda"] = agenda;
        report["card"] = card;
        report["outbox"] = {{"pending", pending.pending}, {"by_table", outbox_by_table(pending)}};
        return ok_status();
    }
    auto& out = narrator_.out();
    print_title(out, "Sunday morning: the agenda");
    print_agenda(out, agenda);
    print_title(out, "Customer card: 刘洋");
    print_card(out, card, kShanghai);
    print_title(out, "Waiting in the outbox for sync");
    out << "  " << pending.pending << " changes recorded offline; the store server has not "
        << "acknowledged them yet, so none is ever dropped:\n";
    const auto by_table = outbox_by_table(pending);
    for (const auto& [table, count] : by_table.items())
        out << "    " << table << ": " << count.get<int>() << '\n';
    return ok_status();
}

}  // namespace

Status run_consultant_day(const std::string& home, std::ostream& out, bool json_output,
                          nlohmann::json& report) {
    ConsultantDay day(home, out, json_output);
    return day.run(report);
}

}  // namespace forecourt::cli
