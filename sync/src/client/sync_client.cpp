// The tablet's sync rounds: the request from the outbox and the cursor, and
// the response applied in one local transaction.
#include "forecourt/sync/client/sync_client.hpp"

#include <optional>
#include <utility>

#include "forecourt/sync/codec.hpp"
#include "long_pull.hpp"
#include "pulled_page.hpp"
#include "sent_ahead.hpp"

namespace forecourt::sync {

namespace {

Error not_enrolled(const store::SyncState& state) {
    if (state.status == store::kSyncRevoked)
        return make_error(ErrorCode::revoked, "the store revoked this tablet; its book must be wiped",
                          ErrorDomain::sync);
    return make_error(ErrorCode::invalid_state, "this book is not enrolled with a store server; enrol it first",
                      ErrorDomain::sync);
}

// What a pull asks for: the snapshot under way, a new one when nothing has
// been pulled yet, or the log from the cursor.
std::optional<SnapshotPosition> snapshot_to_ask(const store::SyncState& state, const ClientOptions& options) {
    if (state.snapshot) return state.snapshot;
    if (state.cursor == 0 && options.snapshot_first) return SnapshotPosition{};
    return std::nullopt;
}

}  // namespace

SyncClient::SyncClient(Book& book, ClientOptions options)
    : book_(&book), options_(options), state_(book.db()) {}

Result<store::SyncState> SyncClient::state() { return state_.load(); }

Result<PreparedSync> SyncClient::prepare(bool count_remaining) { return prepare_after(0, count_remaining); }

Result<PreparedSync> SyncClient::prepare_after(std::int64_t after_seq, bool count_remaining) {
    FC_ASSIGN(auto state, state_.load());
    const bool revoked = state.status == store::kSyncRevoked;
    if (!state.enrolled() && !revoked) return not_enrolled(state);
    // The outbox's text of each change's fields goes out as it is.
    FC_ASSIGN(auto entries, book_->changes().pending_stored(after_seq, options_.batch_size));
    EncodedPush push;
    if (after_seq > 0 && !entries.empty()) push.follows = after_seq;
    push.changes.reserve(entries.size());
    for (const auto& e : entries) push.add(e.seq, e.table, e.record_id, e.hlc, e.fields);
    push.fit(options_.batch_bytes);
    entries.resize(push.changes.size());
    // A revoked tablet only pushes what it still holds; there is nothing to pull.
    std::optional<PullRequest> pull;
    if (!revoked) pull = PullRequest{state.cursor, options_.pull_limit, count_remaining, snapshot_to_ask(state, options_)};
    PreparedSync prepared;
    prepared.first_seq = entries.empty() ? 0 : entries.front().seq;
    prepared.last_seq = entries.empty() ? 0 : entries.back().seq;
    prepared.pushed = entries.size();
    prepared.follows = push.follows.value_or(0);
    prepared.cursor = state.cursor;
    if (pull) prepared.snapshot = pull->snapshot;
    for (auto& e : entries) prepared.pushed_records.emplace(std::move(e.table), std::move(e.record_id));
    prepared.request = Request{"POST", "/v1/sync", state.token, encode(push, pull)};
    return prepared;
}

Result<PreparedSync> SyncClient::prepare_pull(std::int64_t cursor,
                                              const std::optional<SnapshotPosition>& snapshot) {
    FC_ASSIGN(auto state, state_.load());
    if (!state.enrolled()) return not_enrolled(state);
    return pull_only(state.token, options_.pull_limit, cursor, snapshot);
}

PreparedSync SyncClient::pull_only(const std::string& token, int limit, std::int64_t cursor,
                                   const std::optional<SnapshotPosition>& snapshot) {
    SyncRequest request;
    request.pull = PullRequest{cursor, limit, false, snapshot};
    PreparedSync prepared;
    prepared.cursor = cursor;
    prepared.snapshot = snapshot;
    prepared.request = Request{"POST", "/v1/sync", token, encode(request)};
    return prepared;
}

Result<RoundResult> SyncClient::complete(const PreparedSync& sent, const Response& response,
                                         const DecodedHook& decoded_hook) {
    if (response.status != 200) {
        Error error = decode_error(response.status, response.body);
        if (error.code == ErrorCode::conflict && sent.follows > 0) {
            RoundResult result;  // sent before the batch ahead was applied: nothing changed
            result.out_of_order = true;
            result.more = true;
            return result;
        }
        if (error.code == ErrorCode::invalid_argument && sent.pushed > 0) {
            const auto seq = refused_seq(response.body);
            if (seq && *seq >= sent.first_seq && *seq <= sent.last_seq) return set_aside(*seq, error);
        }
        if (error.code == ErrorCode::revoked) {
            FC_TRY(commit_pulled());
            FC_ASSIGN(auto tx, storage::Transaction::begin(book_->db()));
            FC_TRY(state_.set_status(tx, store::kSyncRevoked));
            FC_TRY(tx.commit());
        }
        FC_TRY(record_failure(error));
        return error;
    }
    auto decoded = decode_sync_response(response.body, options_.limits);
    if (!decoded.ok()) {
        FC_TRY(record_failure(decoded.error()));
        return decoded.take_error();
    }
    return complete_decoded(sent, *decoded, decoded_hook);
}

Result<RoundResult> SyncClient::complete_decoded(const PreparedSync& sent, SyncResponse& decoded,
                                                 const DecodedHook& decoded_hook) {
    FC_ASSIGN(auto state, state_.load());
    if (decoded_hook) decoded_hook(sent, decoded);
    return apply(sent, decoded, state);
}

// A change the store will not take as it is must neither block the changes
// after it nor be lost: it leaves the outbox for outbox_refused, with the
// store's reason, and the next round pushes the rest.
Result<RoundResult> SyncClient::set_aside(std::int64_t seq, const Error& error) {
    FC_TRY(commit_pulled());
    FC_ASSIGN(auto tx, storage::Transaction::begin(book_->db()));
    FC_TRY(book_->changes().set_aside(tx, seq, error.message, book_->clock().now_ms()));
    FC_TRY(tx.commit());
    RoundResult result;
    result.refused_seq = seq;
    result.more = true;
    return result;
}

// Within a long pull the transaction may stay open for the next page
// (ClientOptions::pull_commit_ms); otherwise the round commits here. A
// round that fails rolls back what it and the uncommitted pages before it
// wrote: the pull resumes from the last commit.
Result<RoundResult> SyncClient::apply(const PreparedSync& sent, SyncResponse& response,
                                      const store::SyncState& state) {
    if (!pulled_tx_) {
        FC_ASSIGN(auto tx, storage::Transaction::begin(book_->db()));
        pulled_tx_.emplace(std::move(tx));
        pulled_until_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.pull_commit_ms);
    }
    auto result = apply_in(*pulled_tx_, sent, response, state);
    if (!result.ok()) {
        pulled_tx_.reset();
        return result;
    }
    const bool keep = group_pulls_ && result->pulled > 0 && result->more && sent.pushed == 0 &&
                      !result->revoked && std::chrono::steady_clock::now() < pulled_until_;
    if (!keep) FC_TRY(commit_pulled());
    return result;
}

Status SyncClient::commit_pulled() {
    if (!pulled_tx_) return ok_status();
    auto status = pulled_tx_->commit();
    pulled_tx_.reset();
    return status;
}

Result<RoundResult> SyncClient::apply_in(storage::Transaction& tx, const PreparedSync& sent,
                                         SyncResponse& response, const store::SyncState& state) {
    RoundResult result;
    result.push = response.push;
    result.revoked = response.device_status == DeviceStatus::revoked;
    // Only what this request carried is drained: a server mark beyond it
    // cannot acknowledge changes it has never seen.
    const std::int64_t acked = std::min(response.push.acked_seq, sent.last_seq);
    if (acked > 0) FC_TRY(book_->changes().acknowledge(tx, acked));
    Hlc newest = response.server_hlc;
    // A pipelined batch asked for the page after the cursor the book had when
    // it was read; if the answer ahead of it moved the book on, this page is
    // not the next one, and the next round pulls from where the book stands.
    const bool page_follows =
        !sent.pull_may_lag ||
        (sent.cursor == state.cursor && sent.snapshot == snapshot_to_ask(state, options_));
    if (response.pull && !page_follows) result.more = true;
    result.pulled_all =
        response.pull && page_follows && response.pull->changes.empty() && !response.pull->more;
    if (response.pull && page_follows) {
        FC_ASSIGN(auto pending, detail::pending_fields(*book_, *response.pull));
        FC_ASSIGN(auto page, detail::apply_page(tx, *book_, *response.pull, state.store_id, pending,
                                                sent.pushed_records));
        // A snapshot's page moves its position; its last page, or a page of
        // the log, the cursor.
        if (response.pull->snapshot) {
            FC_TRY(state_.set_snapshot(tx, response.pull->snapshot));
        } else {
            if (state.snapshot) FC_TRY(state_.set_snapshot(tx, std::nullopt));
            FC_TRY(state_.set_cursor(tx, response.pull->cursor));
        }
        result.pulled = page.applied;
        result.kept_local = page.kept_local;
        result.unchanged = page.unchanged;
        result.more = response.pull->more;
        newest = std::max(newest, page.newest);
    }
    // Later local edits must stamp after everything this tablet has seen.
    FC_TRY(state_.save_clock(tx, book_->hlc().observe(newest)));
    FC_TRY(state_.record_sync(tx, book_->clock().now_ms(), std::nullopt));
    if (result.revoked) FC_TRY(state_.set_status(tx, store::kSyncRevoked));
    FC_ASSIGN(const bool left, book_->changes().has_pending());
    // A revoked tablet confirms with one last, empty push that it holds nothing more.
    result.more = result.more || left || (result.revoked && sent.pushed > 0);
    return result;
}

namespace {

// After this answer the next round only pulls: this one pushed nothing, the
// page says more follows and the device is active (the outbox is checked too).
bool next_round_only_pulls(const PreparedSync& sent, const SyncResponse& decoded) {
    return sent.pushed == 0 && decoded.pull && decoded.pull->more &&
           decoded.device_status == DeviceStatus::active;
}

void add_round(SyncSummary& summary, const PreparedSync& sent, const RoundResult& result) {
    ++summary.rounds;
    if (result.refused_seq) ++summary.refused;
    else if (!result.out_of_order) summary.pushed += static_cast<int>(sent.pushed);
    summary.pulled += result.pulled;
    summary.conflicts += result.push.conflicts;
    summary.revoked = result.revoked;
}

// A batch staged while `sent` was on its way follows it as it was read: the
// store took all of `sent`, and its page was empty, so the staged request's
// cursor (the one before that page) still names what is left to pull.
bool staged_still_follows(const PreparedSync& sent, const RoundResult& result) {
    return !result.refused_seq && !result.revoked && result.push.acked_seq >= sent.last_seq &&
           result.pulled == 0;
}

// The batch staged while `sent` was on its way can go out before this answer
// is applied: the store took all of `sent` and sent nothing to pull, so
// staged_still_follows() will hold, and the local commit of this answer then
// overlaps the store's work on the next batch. Should this tablet stop before
// that commit, `sent` is pushed again and the store acknowledges it as a
// duplicate.
bool push_follows(const PreparedSync& sent, const SyncResponse& decoded) {
    return sent.pushed > 0 && decoded.push.acked_seq >= sent.last_seq &&
           decoded.device_status == DeviceStatus::active && (!decoded.pull || decoded.pull->changes.empty());
}

}  // namespace

std::optional<PreparedSync> SyncClient::request_ahead(const Transport& transport, const PreparedSync& sent,
                                                      const SyncResponse& decoded,
                                                      std::optional<PreparedSync>& staged) {
    if (!transport.sends_in_background()) return std::nullopt;
    if (staged && push_follows(sent, decoded)) return std::exchange(staged, std::nullopt);
    if (!next_round_only_pulls(sent, decoded)) return std::nullopt;
    const auto waiting = book_->changes().has_pending();
    if (!waiting.ok() || *waiting) return std::nullopt;
    auto next = prepare_pull(decoded.pull->cursor, decoded.pull->snapshot);
    if (!next.ok()) return std::nullopt;
    return std::move(*next);
}

Result<SyncSummary> SyncClient::sync(Transport& transport) {
    SyncSummary summary;
    const auto loaded = state_.load();  // the token of the pages asked for early
    detail::Pipeline pipeline(loaded.ok() ? loaded->token : std::string(), options_.pull_limit);
    auto on_decoded = [&](const PreparedSync& sent, const SyncResponse& decoded) {
        if (page_hook_ && decoded.pull) page_hook_(*decoded.pull);
        send_next(transport, sent, decoded, pipeline);
    };
    detail::LongPullCheckpoints checkpoints(book_->db(), options_.pull_checkpoint_pages);
    detail::GroupedPulls grouped(group_pulls_, pulled_tx_);  // before `checkpoints` is put back
    for (int round = 0; round < options_.max_rounds; ++round) {
        PreparedSync prepared;
        // Uncommitted pages wait for the next one only while it is on its
        // way and the transaction is young enough.
        if (pulled_tx_ && !detail::answered_by(pipeline.ahead, pulled_until_)) FC_TRY(commit_pulled());
        FC_ASSIGN(auto answer, next_answer(transport, round == 0, prepared, pipeline));
        // After a round that pulled everything, whatever the cursor moved past
        // is nothing this book pulls: a page pipelined behind it follows it.
        if (pipeline.caught_up) prepared.pull_may_lag = false;
        pipeline.early = std::move(answer.early);
        if (!answer.reply.ok()) {
            FC_TRY(record_failure(answer.reply.error()));
            return answer.reply.take_error();
        }
        FC_ASSIGN(auto result, answer.decoded ? complete_decoded(prepared, *answer.decoded, on_decoded)
                                              : complete(prepared, *answer.reply, on_decoded));
        pipeline.early.reset();  // not taken up: dropped before anything else is sent
        if (pipeline.staged && !staged_still_follows(prepared, result)) pipeline.staged.reset();
        // The batch pipelined after one the store refused as out of order
        // follows it, so it is refused too: dropped, it goes again from the outbox.
        if (result.out_of_order) pipeline.ahead.reset();
        if (pipeline.ahead) pipeline.applied = std::move(answer);
        pipeline.caught_up = result.pulled_all && result.push.acked_seq >= prepared.last_seq;
        add_round(summary, prepared, result);
        checkpoints.after(result);
        if (!result.more) break;
    }
    FC_TRY(commit_pulled());
    return summary;
}

void SyncClient::send_next(Transport& transport, const PreparedSync& sent, const SyncResponse& decoded,
                           detail::Pipeline& p) {
    if (p.ahead) return;  // a pipelined batch is on its way already
    auto next = request_ahead(transport, sent, decoded, p.staged);
    if (next && p.early && detail::same_pull(p.early->prepared, *next)) {
        p.ahead = std::move(*p.early);
        p.ahead->early_slot.reset();
    } else {
        p.early.reset();  // waits for its answer and drops it: one request at a time
        if (next) {
            auto* early = next->pushed == 0 ? &p.early_pulls : nullptr;
            p.ahead = detail::send_in_background(transport, std::move(*next), options_.limits, std::move(p.applied),
                                                 early);
        }
    }
    p.early.reset();
}

Result<detail::SentAnswer> SyncClient::next_answer(Transport& transport, bool first, PreparedSync& prepared,
                                                   detail::Pipeline& p) {
    if (!p.ahead) return send_round(transport, first, prepared, p);
    detail::SentAhead ahead = std::move(*p.ahead);
    p.ahead.reset();
    prepared = std::move(ahead.prepared);
    if (prepared.pushed > 0) pipeline_after(transport, ahead.lane, prepared.last_seq, p);
    return ahead.answer.get();
}

Result<detail::SentAnswer> SyncClient::send_round(Transport& transport, bool first, PreparedSync& prepared,
                                                  detail::Pipeline& p) {
    if (p.staged) {
        prepared = std::move(*std::exchange(p.staged, std::nullopt));
    } else {
        // The first round asks how much there is to pull, for progress displays.
        FC_ASSIGN(prepared, prepare(first));
    }
    if (prepared.pushed > 0 && transport.sends_in_background()) {
        const auto last_seq = prepared.last_seq;
        return detail::send_while(transport, prepared, options_.limits,
                                  [&] { pipeline_after(transport, &transport, last_seq, p); });
    }
    detail::SentAnswer answer;
    answer.reply = transport.send(prepared.request);
    return answer;
}

void SyncClient::pipeline_after(Transport& transport, const Transport* busy, std::int64_t last_seq,
                                detail::Pipeline& p) {
    if (!p.staged) stage_after(last_seq, p.staged);
    send_staged(transport, busy, p);
    if (p.ahead) stage_after(p.ahead->prepared.last_seq, p.staged);
}

void SyncClient::send_staged(Transport& transport, const Transport* busy, detail::Pipeline& p) {
    if (!p.staged || p.ahead || !p.caught_up) return;
    Transport* second = transport.second_lane();  // opened only for a batch to pipeline
    if (!second) return;
    Transport* lane = busy == second ? &transport : second;
    PreparedSync next = std::move(*std::exchange(p.staged, std::nullopt));
    p.ahead =
        detail::send_in_background(*lane, std::move(next), options_.limits, std::move(p.applied));
}

void SyncClient::stage_after(std::int64_t last_seq, std::optional<PreparedSync>& staged) {
    // Not staging (the book could not be read) only costs the overlap.
    auto next = prepare_after(last_seq, false);
    if (!next.ok() || next->pushed == 0) return;
    // Read before the answers ahead of it are applied, it may ask for a page
    // those answers move past (see sync()).
    next->pull_may_lag = true;
    staged = std::move(*next);
}

Status SyncClient::record_failure(const Error& error) {
    // Pages applied before the failure are whole: they stay.
    FC_TRY(commit_pulled());
    FC_ASSIGN(auto tx, storage::Transaction::begin(book_->db()));
    FC_TRY(state_.record_sync(tx, book_->clock().now_ms(), error.describe()));
    return tx.commit();
}

}  // namespace forecourt::sync
