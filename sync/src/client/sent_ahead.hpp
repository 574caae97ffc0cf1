// Internal to the sync client: a round's request sent on a thread of its own,
// which also decodes a well-formed answer, so the next page of a long pull (or
// the outbox's next batch) is on its way while this thread applies the last.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "forecourt/sync/client/sync_client.hpp"
#include "forecourt/sync/exchange.hpp"

namespace forecourt::sync::detail {

struct SentAhead;

// The answer to a round's request, decoded when it is well-formed; anything
// else is left for SyncClient::complete() to decode and report.
struct SentAnswer {
    Result<Response> reply = make_error(ErrorCode::internal, "no request sent");
    std::optional<SyncResponse> decoded;
    // The request for the page after this one, sent before this one was
    // decoded (see EarlyPulls); the sync takes it up or drops it.
    std::unique_ptr<SentAhead> early;
};

// Lets the thread that receives a page of a long pull ask for the page after
// it at once, on the strength of the page's first members, before decoding
// it: the store then reads the next page while this one is decoded (and the
// one before applied). The sync takes such a request up only if the decoded
// page, once applied, leads to exactly that request; otherwise it waits for
// its answer and drops it, so requests still go one at a time. At most one
// is out that the sync has not taken up, which bounds the pages in memory.
class EarlyPulls {
public:
    EarlyPulls(std::string token, int limit) : token_(std::move(token)), limit_(limit) {}
    EarlyPulls(const EarlyPulls&) = delete;
    EarlyPulls& operator=(const EarlyPulls&) = delete;

    // The slot for an early request, released when the request is taken up
    // or dropped; nullptr while another holds it.
    std::shared_ptr<void> claim();
    const std::string& token() const { return token_; }
    int limit() const { return limit_; }

private:
    static constexpr int kMaxOut = 1;
    std::atomic<int> out_{0};
    std::string token_;
    int limit_;
};

// A request sent ahead, and its answer to come.
struct SentAhead {
    PreparedSync prepared;
    Transport* lane = nullptr;  // the transport it went out on
    // Held while an early request waits to be taken up. Declared before
    // `answer`, so a request dropped unanswered keeps the slot until its
    // thread is joined: that thread cannot send another early request.
    std::shared_ptr<void> early_slot;
    std::future<SentAnswer> answer;
};

// A page already applied, freed by the thread that sends the next request
// once it has its answer: freeing 2,000 changes is not the applying
// thread's work, which is the longer of the two.
using Applied = std::optional<SentAnswer>;

// With `early`, a page that says more follows has the request for the next
// one sent before it is decoded (SentAnswer::early).
SentAhead send_in_background(Transport& transport, PreparedSync prepared, const Limits& limits,
                             Applied applied = std::nullopt, EarlyPulls* early = nullptr);

// Whether an early request asks for exactly what `next` does.
bool same_pull(const PreparedSync& early, const PreparedSync& next);

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

// What a sync() carries from one round to the next. Members go out of scope
// in reverse order: the requests, joined, before the EarlyPulls they use.
struct Pipeline {
    Pipeline(std::string token, int limit) : early_pulls(std::move(token), limit) {}
    EarlyPulls early_pulls;
    Applied applied;                     // the last round's answer, for the next request's thread to free
    std::optional<SentAhead> ahead;      // joined when it goes out of scope, answer dropped
    std::unique_ptr<SentAhead> early;    // the early request that came with the answer being applied
    std::optional<PreparedSync> staged;  // the outbox's next batch, read while a push is on its way
    // The last round's store took its whole batch and the book had pulled all
    // of its scope: a batch pipelined now asks for the page after the cursor
    // the store expects, so its changes can be echoes (sync/PROTOCOL.md).
    bool caught_up = false;
};

// Whether the page sent ahead is answered by `until` (false when none was sent).
bool answered_by(std::optional<SentAhead>& ahead, std::chrono::steady_clock::time_point until);

}  // namespace forecourt::sync::detail
