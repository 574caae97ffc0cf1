// Internal to the sync client: a round's request sent on a thread of its own,
// which also decodes a well-formed answer, so the next page of a long pull (or
// the outbox's next batch) is on its way while this thread applies the last.
#pragma once

#include <chrono>
#include <future>
#include <optional>

#include "forecourt/sync/client/sync_client.hpp"
#include "forecourt/sync/exchange.hpp"

namespace forecourt::sync::detail {

// The answer to a round's request, decoded when it is well-formed; anything
// else is left for SyncClient::complete() to decode and report.
struct SentAnswer {
    Result<Response> reply = make_error(ErrorCode::internal, "no request sent");
    std::optional<SyncResponse> decoded;
};

// A request sent ahead, and its answer to come.
struct SentAhead {
    PreparedSync prepared;
    std::future<SentAnswer> answer;
};

// A page already applied, freed by the thread that sends the next request
// once it has its answer: freeing 2,000 changes is not the applying
// thread's work, which is the longer of the two.
using Applied = std::optional<SentAnswer>;

SentAhead send_in_background(Transport& transport, PreparedSync prepared, const Limits& limits,
                             Applied applied = std::nullopt);

// Sends `prepared` from another thread, runs `meanwhile` on this one, and
// waits for the answer; `prepared` is handed back with it.
template <typename Meanwhile>
SentAnswer send_while(Transport& transport, PreparedSync& prepared, const Limits& limits,
                      Meanwhile&& meanwhile) {
    auto sending = send_in_background(transport, std::move(prepared), limits);
    meanwhile();
    auto answer = sending.answer.get();
    prepared = std::move(sending.prepared);
    return answer;
}

// Whether the page sent ahead is answered by `until` (false when none was sent).
bool answered_by(std::optional<SentAhead>& ahead, std::chrono::steady_clock::time_point until);

}  // namespace forecourt::sync::detail
