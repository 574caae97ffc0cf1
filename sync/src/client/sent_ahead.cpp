// A round's request sent and its answer decoded on a thread of its own.
#include "sent_ahead.hpp"

#include <nlohmann/json.hpp>

#include "forecourt/sync/codec.hpp"
#include "../protocol/json_reader.hpp"

namespace forecourt::sync::detail {

namespace {

using nlohmann::json;

struct NextPage {
    std::int64_t cursor = 0;
    std::optional<SnapshotPosition> snapshot;
};

// Where the next page starts, read from the page's members ahead of its
// changes ({"pull": {"cursor", "more", "remaining", "snapshot", "changes"}},
// as the store writes them) without decoding the page; nullopt when no more
// follows or the members are not there. Only a guess: the request it leads
// to is used only if the decoded page names the same.
std::optional<NextPage> next_page_guess(std::string_view body) {
    constexpr std::string_view kPull = R"("pull":{)";
    const auto pull = body.find(kPull);
    if (pull == std::string_view::npos) return std::nullopt;
    const auto changes = body.find(R"(,"changes":[)", pull);
    if (changes == std::string_view::npos) return std::nullopt;
    const auto from = pull + kPull.size() - 1;
    std::string members(body.substr(from, changes - from));
    members += '}';
    const json j = json::parse(members, nullptr, false);
    if (!j.is_object() || j.value("more", false) != true) return std::nullopt;
    const auto cursor = j.find("cursor");
    if (cursor == j.end() || !cursor->is_number_integer()) return std::nullopt;
    NextPage next{cursor->get<std::int64_t>(), std::nullopt};
    if (const auto s = j.find("snapshot"); s != j.end()) {
        auto position = snapshot_from_wire(*s, "pull.snapshot");  // the decoder's own reading
        if (!position) return std::nullopt;
        next.snapshot = std::move(*position);
    }
    return next;
}

}  // namespace

std::shared_ptr<void> EarlyPulls::claim() {
    int out = out_.load();
    while (out < kMaxOut && !out_.compare_exchange_weak(out, out + 1)) {
    }
    if (out >= kMaxOut) return nullptr;
    return std::shared_ptr<void>(static_cast<void*>(this), [](void* pulls) {
        static_cast<EarlyPulls*>(pulls)->out_.fetch_sub(1);
    });
}

SentAhead send_in_background(Transport& transport, PreparedSync prepared, const Limits& limits,
                             Applied applied, EarlyPulls* early) {
    SentAhead ahead{std::move(prepared), &transport, {}, {}};
    // The request moves to its thread: nothing reads it once it is sent.
    ahead.answer = std::async(std::launch::async, [&transport, &limits, early,
                                                   request = std::move(ahead.prepared.request),
                                                   applied = std::move(applied)]() mutable {
        SentAnswer answer;
        answer.reply = transport.send(request);
        if (answer.reply.ok() && answer.reply->status == 200) {
            const auto next = early ? next_page_guess(answer.reply->body) : std::nullopt;
            if (auto slot = next ? early->claim() : nullptr) {
                auto sent = send_in_background(
                    transport, SyncClient::pull_only(early->token(), early->limit(), next->cursor, next->snapshot),
                    limits, std::nullopt, early);
                sent.early_slot = std::move(slot);
                answer.early = std::make_unique<SentAhead>(std::move(sent));
            }
            auto decoded = decode_sync_response(answer.reply->body, limits);
            if (decoded.ok()) answer.decoded = std::move(*decoded);
        }
        applied.reset();
        return answer;
    });
    return ahead;
}

bool same_pull(const PreparedSync& early, const PreparedSync& next) {
    // (The early request itself has moved to its thread.)
    return early.pushed == 0 && next.pushed == 0 && early.cursor == next.cursor && early.snapshot == next.snapshot;
}

bool answered_by(std::optional<SentAhead>& ahead, std::chrono::steady_clock::time_point until) {
    return ahead && ahead->answer.wait_until(until) == std::future_status::ready;
}

}  // namespace forecourt::sync::detail
