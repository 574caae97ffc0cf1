// The tablet's side of sync, sans I/O: builds the next request from the book
// (a bounded push batch from the outbox, and the pull cursor), and applies the
// server's response to the book in one local transaction. A Transport carries
// the request; `sync` runs rounds over one until there is nothing left to do.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "forecourt/core/book.hpp"
#include "forecourt/core/storage/transaction.hpp"
#include "forecourt/core/store/sync_state.hpp"
#include "forecourt/sync/exchange.hpp"
#include "forecourt/sync/protocol.hpp"

namespace forecourt::sync {

namespace detail {
struct SentAnswer;
struct Pipeline;
}

struct ClientOptions {
    Limits limits;
    int batch_size = 500;                 // outbox changes per push (the store takes 500)
    std::size_t batch_bytes = 768 << 10;  // and about this many bytes of JSON (the store takes 1 MiB)
    int pull_limit = 2000;                // changes per pulled page (the store sends 2000)
    int max_rounds = 1000;                // per sync() call
    // While a pull runs to more than one page, the book checkpoints its WAL
    // every this many pages instead of SQLite's 1,000; when the sync ends the
    // interval is put back and the WAL checkpointed. 0: leave it alone.
    int pull_checkpoint_pages = 10'000;
    // A long pull (more pages follow, nothing waits to be pushed) keeps
    // applying its pages in one local transaction, each with its cursor,
    // for up to this long before it commits: each commit writes the index
    // pages that many pages dirtied once, not once per page. An interrupted
    // pull resumes from the last commit; a local write waits at most about
    // this long (plus one page). 0: commit every page.
    int pull_commit_ms = 1000;
    // A tablet that has pulled nothing yet asks for a snapshot of its scope
    // (its records as they are, then the log from the snapshot's head)
    // instead of the log from its beginning. false: the log only.
    bool snapshot_first = true;
};

// A request ready to send, and what the client needs to know when its answer comes.
struct PreparedSync {
    Request request;            // moved to its thread when sent ahead (sent_ahead.cpp)
    std::int64_t first_seq = 0; // the lowest outbox seq in the batch; 0: nothing pushed
    std::int64_t last_seq = 0;  // the highest outbox seq in the batch; 0: nothing pushed
    std::size_t pushed = 0;
    std::int64_t cursor = 0;
    std::optional<SnapshotPosition> snapshot;  // the snapshot page it asks for, if any
    // push.follows: the last seq of the batch before this one (0: none).
    std::int64_t follows = 0;
    // Sent before the answer to the batch ahead of it came, and that answer
    // may move the pull on: this page is then not the next one, and is left
    // for a later round unless the cursor is where it was (see apply_in).
    bool pull_may_lag = false;
    // (table, id) of the records this request pushes: the store sends each
    // back in the pull as it stored it, usually in the same answer.
    std::set<std::pair<std::string, std::string>> pushed_records;
};

struct RoundResult {
    PushResult push;
    int pulled = 0;          // pulled changes applied
    int kept_local = 0;      // pulled fields not applied: the tablet has an unsynced edit
    int unchanged = 0;       // pulled changes (echoes of this push) the book already held
    bool more = false;       // call prepare() again: more to push or to pull
    bool revoked = false;    // the store revoked this tablet: wipe it once `more` is false
    // The store refused one pushed change for its content (a 422 naming it):
    // it was set aside, kept in the book, and nothing else of the round applied.
    std::optional<std::int64_t> refused_seq;
    // The store had not yet applied the batch before this one (409 on a
    // pipelined batch): nothing of the round applied; the batch goes again.
    bool out_of_order = false;
    // The answer's page was the next one, empty, and the last: the book has
    // pulled everything of its scope.
    bool pulled_all = false;
};

struct SyncSummary {
    int rounds = 0;
    int pushed = 0;
    int pulled = 0;
    int conflicts = 0;
    int refused = 0;  // changes the store refused and the tablet set aside (kept)
    bool revoked = false;
};

class SyncClient {
public:
    explicit SyncClient(Book& book, ClientOptions options = {});

    // --- Enrolment -----------------------------------------------------------
    Request enrol_request(const std::string& code, const std::string& device_name) const;
    // Saves the credentials and makes the book the store's (see
    // SyncStateStore::save_enrolment); the open Book takes the new identity
    // at once.
    Result<EnrolResponse> complete_enrolment(const Response& response, const std::string& device_name,
                                             const std::string& server_url,
                                             const std::string& server_pin);

    // --- One round -----------------------------------------------------------
    // The next request; fails when the book is not enrolled. `count_remaining`
    // asks the store how many changes remain to pull after the page.
    Result<PreparedSync> prepare(bool count_remaining = false);
    // A request that only pulls the page after `cursor`, or the snapshot's
    // page at `snapshot` (nothing pushed).
    Result<PreparedSync> prepare_pull(std::int64_t cursor,
                                      const std::optional<SnapshotPosition>& snapshot = std::nullopt);
    // The same request for a device whose token is `token`, with pages of `limit`.
    static PreparedSync pull_only(const std::string& token, int limit, std::int64_t cursor,
                                  const std::optional<SnapshotPosition>& snapshot);
    // Applies the answer to `sent`: drains the outbox up to the acknowledged
    // seq, applies the pulled page and stores the new cursor, all in one
    // transaction. An error response changes nothing but the recorded error.
    // `decoded`, when given, sees a well-formed answer before it is applied.
    using DecodedHook = std::function<void(const PreparedSync& sent, const SyncResponse& decoded)>;
    Result<RoundResult> complete(const PreparedSync& sent, const Response& response,
                                 const DecodedHook& decoded = {});

    // Rounds over `transport` until nothing is left to push or pull. When the
    // transport fails mid-way, what was completed stays; call again later.
    // Over a transport that sends in the background, the next page of a long
    // pull is on its way, and decoded, while this one is applied; pages are still applied
    // in order, each with its cursor, so an interrupted pull resumes as before
    // (from the last commit: see pull_commit_ms).
    // Likewise the outbox's next batch is read and encoded while a push is on
    // its way. Over a transport with a second lane it goes out at once on
    // that lane, naming the batch it follows, so the store decodes it while
    // it applies the one ahead; otherwise it is sent only after that push's
    // answer is applied, and read again unless the store took the whole push
    // and had nothing to pull.
    Result<SyncSummary> sync(Transport& transport);

    // Called by sync() with each pulled page as it arrives, before it is
    // applied: for progress displays (the first page of a sync carries
    // `remaining`). Runs on the caller's thread.
    void on_page(std::function<void(const PullPage& page)> hook) { page_hook_ = std::move(hook); }

    Result<store::SyncState> state();
    Book& book() { return *book_; }

private:
    // The outbox's batch after `after_seq`, with a pull from the book's cursor.
    Result<PreparedSync> prepare_after(std::int64_t after_seq, bool count_remaining);
    // The request to send while `decoded` is applied, only over a transport
    // that sends in the background: the batch `staged` while `sent` was on its
    // way, when the store took all of `sent` and sent nothing to pull; or the
    // page after `decoded`'s, when the round pushed nothing, nothing waits in
    // the outbox and more follows.
    std::optional<PreparedSync> request_ahead(const Transport& transport, const PreparedSync& sent,
                                              const SyncResponse& decoded, std::optional<PreparedSync>& staged);
    // After `decoded` is decoded: the request that came early with it goes
    // ahead if it is request_ahead()'s, else it is dropped and that one sent.
    void send_next(Transport& transport, const PreparedSync& sent, const SyncResponse& decoded,
                   detail::Pipeline& pipeline);
    // This round's request and its answer: the one sent ahead, or send_round()'s.
    Result<detail::SentAnswer> next_answer(Transport& transport, bool first, PreparedSync& prepared,
                                           detail::Pipeline& pipeline);
    // This round's request when none was sent ahead, and its answer: the
    // batch staged last round, or the next one read now. A push goes out on
    // another thread (over a transport that sends in the background) while
    // the batch after it is read into `staged`.
    Result<detail::SentAnswer> send_round(Transport& transport, bool first, PreparedSync& prepared,
                                          detail::Pipeline& pipeline);
    // While the batch ending at `last_seq` is on its way on `busy`: the batch
    // after it (read now unless staged already) goes out through send_staged(),
    // and the batch after that one is read while both are on their way.
    void pipeline_after(Transport& transport, const Transport* busy, std::int64_t last_seq,
                        detail::Pipeline& pipeline);
    // Over a transport with a second lane, the staged batch goes out at once
    // on the lane that `busy` (the request ahead of it) is not using.
    void send_staged(Transport& transport, const Transport* busy, detail::Pipeline& pipeline);
    // Reads the outbox's batch after `last_seq` into `staged` while the batch
    // that ends there is on its way.
    void stage_after(std::int64_t last_seq, std::optional<PreparedSync>& staged);
    // These take the pulled page's changes (moved into the book).
    Result<RoundResult> complete_decoded(const PreparedSync& sent, SyncResponse& decoded,
                                         const DecodedHook& decoded_hook);
    Result<RoundResult> apply(const PreparedSync& sent, SyncResponse& response, const store::SyncState& state);
    Result<RoundResult> apply_in(storage::Transaction& tx, const PreparedSync& sent, SyncResponse& response,
                                 const store::SyncState& state);
    // Commits the pages a long pull has applied and not yet committed, if any.
    Status commit_pulled();
    Result<RoundResult> set_aside(std::int64_t seq, const Error& error);
    Status record_failure(const Error& error);

    Book* book_;
    ClientOptions options_;
    store::SyncStateStore state_;
    std::function<void(const PullPage&)> page_hook_;
    // Within sync(): the transaction of a long pull's pages not yet
    // committed (see ClientOptions::pull_commit_ms), and when it is due.
    bool group_pulls_ = false;
    std::optional<storage::Transaction> pulled_tx_;
    std::chrono::steady_clock::time_point pulled_until_;
};

}  // namespace forecourt::sync
