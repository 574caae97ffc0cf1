// A round's request sent and its answer decoded on a thread of its own.
#include "sent_ahead.hpp"

#include "forecourt/sync/codec.hpp"

namespace forecourt::sync::detail {

SentAhead send_in_background(Transport& transport, PreparedSync prepared, const Limits& limits,
                             Applied applied) {
    SentAhead ahead{std::move(prepared), {}};
    // The request moves to its thread: nothing reads it once it is sent.
    ahead.answer =
        std::async(std::launch::async, [&transport, &limits, request = std::move(ahead.prepared.request),
                                        applied = std::move(applied)]() mutable {
            SentAnswer answer;
            answer.reply = transport.send(request);
            if (answer.reply.ok() && answer.reply->status == 200) {
                auto decoded = decode_sync_response(answer.reply->body, limits);
                if (decoded.ok()) answer.decoded = std::move(*decoded);
            }
            applied.reset();
            return answer;
        });
    return ahead;
}

bool answered_by(std::optional<SentAhead>& ahead, std::chrono::steady_clock::time_point until) {
    return ahead && ahead->answer.wait_until(until) == std::future_status::ready;
}

}  // namespace forecourt::sync::detail
