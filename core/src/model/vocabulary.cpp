// The closed lists of codes the store uses (DOMAIN.md), with their labels.
#include "forecourt/core/model/vocabulary.hpp"

#include <array>

namespace forecourt::model {
namespace {

constexpr std::array kGrades{
    Term{"O", "O — order signed, delivery pending (订单)"},
    Term{"H", "H — buys within 7 days"},
    Term{"A", "A — buys within a month"},
    Term{"B", "B — buys in 1–3 months"},
    Term{"C", "C — first contacts, over 3 months"},
};
constexpr std::array kKinds{Term{"prospect", "prospect (意向客户)"},
                            Term{"base", "base customer (基盘客户)"}};
constexpr std::array kStatuses{Term{"active", "active"}, Term{"won", "won / delivered (成交)"},
                               Term{"lost", "lost (战败)"}, Term{"archived", "archived"}};
constexpr std::array kSources{
    Term{"walk_in", "walk-in (来店)"},
    Term{"phone_in", "phone-in (来电)"},
    Term{"test_drive", "test drive (试乘试驾)"},
    Term{"event", "marketing event (营销活动)"},
    Term{"referral", "referral by a customer (用户介绍)"},
    Term{"service", "service customer (服务客户来店)"},
    Term{"fleet", "industry / fleet development (行业开拓)"},
    Term{"network", "own network (缘故法)"},
    Term{"internet", "internet lead"},
};
constexpr std::array kLossReasons{
    Term{"price", "price"},           Term{"product", "product"},
    Term{"service", "service"},       Term{"competitor", "bought a competitor"},
    Term{"need_gone", "need disappeared"}, Term{"management", "management"},
    Term{"other", "other"},
};
constexpr std::array kContactKinds{
    Term{"walk_in", "walk-in reception"}, Term{"phone_call", "phone call"},
    Term{"visit", "home / office visit"}, Term{"test_drive", "test drive"},
    Term{"event", "event attendance"},    Term{"callback", "callback (回访)"},
    Term{"message", "SMS / WeChat message"},
};
constexpr std::array kPurposes{
    Term{"promote_deal", "promote the deal"},
    Term{"raise_certainty", "raise certainty"},
    Term{"collect_info", "collect purchase information"},
    Term{"keep_in_touch", "keep in touch"},
    Term{"delivery_callback", "post-delivery callback"},
    Term{"maintenance_reminder", "maintenance reminder (保养提醒)"},
    Term{"insurance_renewal", "insurance renewal (续保提醒)"},
    Term{"birthday_greeting", "birthday greeting"},
    Term{"care", "care (关怀)"},
    Term{"invitation", "invitation (邀请)"},
};
constexpr std::array kFollowUpStatuses{Term{"open", "open"}, Term{"done", "done"},
                                       Term{"cancelled", "cancelled"}};
constexpr std::array kPaymentMethods{Term{"cash", "full payment"}, Term{"loan", "car loan"},
                                     Term{"lease", "lease"}};
constexpr std::array kEventKinds{Term{"test_drive", "test-drive event (试乘试驾)"},
                                 Term{"marketing", "marketing event (营销活动)"},
                                 Term{"showroom", "showroom event"}};

}  // namespace

bool Vocabulary::contains(std::string_view code) const {
    for (const auto& t : terms)
        if (t.code == code) return true;
    return false;
}

std::string_view Vocabulary::label(std::string_view code) const {
    for (const auto& t : terms)
        if (t.code == code) return t.label;
    return code;
}

std::string Vocabulary::codes() const {
    std::string out;
    for (const auto& t : terms) {
        if (!out.empty()) out += ", ";
        out += t.code;
    }
    return out;
}

Status Vocabulary::check(std::string_view code) const {
    if (contains(code)) return ok_status();
    return make_error(ErrorCode::invalid_argument, std::string(name) + " must be one of " + codes() +
                                                       " (got '" + std::string(code) + "')");
}

#define FC_VOCABULARY(fn, name, list)              \
    const Vocabulary& fn() {                       \
        static const Vocabulary v{name, list};     \
        return v;                                  \
    }

FC_VOCABULARY(grades, "grade", kGrades)
FC_VOCABULARY(customer_kinds, "customer kind", kKinds)
FC_VOCABULARY(customer_statuses, "status", kStatuses)
FC_VOCABULARY(sources, "source", kSources)
FC_VOCABULARY(loss_reasons, "loss reason", kLossReasons)
FC_VOCABULARY(contact_kinds, "contact kind", kContactKinds)
FC_VOCABULARY(contact_purposes, "purpose", kPurposes)
FC_VOCABULARY(follow_up_statuses, "follow-up status", kFollowUpStatuses)
FC_VOCABULARY(payment_methods, "payment method", kPaymentMethods)
FC_VOCABULARY(event_kinds, "event kind", kEventKinds)

#undef FC_VOCABULARY

}  // namespace forecourt::model
