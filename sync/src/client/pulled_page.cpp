// Applying pulled changes to the tablet's book: upserts by the merge rules
// (never over an unsynced local edit), purges of records handed away.
#include "pulled_page.hpp"

#include <algorithm>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "forecourt/sync/merge.hpp"

namespace forecourt::sync::detail {

Result<PendingFields> pending_fields(Book& book, const PullPage& page) {
    // Usually the outbox is empty by the time a page arrives (this round's
    // push went first): one probe instead of a pass over the outbox.
    FC_ASSIGN(const bool waiting, book.changes().has_pending());
    if (!waiting) return PendingFields{};
    std::set<RecordKey> records;
    for (const auto& change : page.changes) records.emplace(change.table, change.record_id);
    return book.changes().pending_fields(records);
}

namespace {

// Whether the book holds the record exactly as pulled: the same owner and
// every pulled field at the pulled version (a version names one write, so
// the value is the same too). Writing it again would change nothing.
Result<bool> already_held(Book& book, const model::TableSpec& table, const PulledChange& change) {
    FC_ASSIGN(auto local, book.records().state(table, change.record_id));
    if (!local || local->owner_id != change.owner_id) return false;
    const bool history = table.kind == model::TableKind::append_only;
    for (const auto& f : change.fields) {
        auto it = local->versions.find(history ? std::string_view("*") : std::string_view(f.field));
        if (it == local->versions.end() || !(it->second == f.version)) return false;
    }
    return true;
}

// Takes the change's fields.
Status apply_upsert(storage::Transaction& tx, Book& book, const model::TableSpec& table,
                    PulledChange& change, const std::string& store_id, const PendingFields& pending) {
    static const std::set<std::string> kNone;
    auto it = pending.find({change.table, change.record_id});
    const auto& local = it == pending.end() ? kNone : it->second;
    const auto writes = merge_pulled(std::move(change), local);
    // A record handed to this consultant may already be here from before; the
    // server's owner is the truth.
    if (writes.empty()) return book.records().set_owner(tx, table, change.record_id, change.owner_id);
    return book.records().put(tx, table, change.record_id, store_id, change.owner_id, writes,
                              storage::RecordStore::Owner::take);
}

// The page's changes as they are written. Where a record changes more than
// once in a page (a follow-up planned, then done a few days later), the
// later changes are folded into the first: field by field the later value
// and version, and the later owner, which is what writing them one after
// the other leaves; the record is then written once. A purge ends a
// record's run: a change after it is written after it.
class FoldedPage {
public:
    explicit FoldedPage(PullPage& page) {
        runs_.reserve(page.changes.size());
        order_.reserve(page.changes.size());
        for (auto& change : page.changes) {
            const Key key{change.table, change.record_id};
            if (change.op == PulledOp::purge) {
                runs_.erase(key);
                order_.push_back(&change);
                continue;
            }
            auto [run, first] = runs_.try_emplace(key, Run{order_.size(), nullptr});
            if (first) {
                order_.push_back(&change);
                continue;
            }
            if (!run->second.folded) {
                // A copy: the page's change keeps the strings runs_ is keyed by.
                run->second.folded = &folded_.emplace_back(*order_[run->second.at]);
                order_[run->second.at] = run->second.folded;
            }
            fold(*run->second.folded, std::move(change));
        }
    }

    const std::vector<PulledChange*>& changes() const { return order_; }

private:
    using Key = std::pair<std::string_view, std::string_view>;
    struct KeyHash {
        std::size_t operator()(const Key& k) const {
            const std::hash<std::string_view> h;
            return h(k.first) * 31 + h(k.second);
        }
    };
    struct Run {
        std::size_t at;        // where the record is written, in order_
        PulledChange* folded;  // its folded change, once it has one
    };

    static void fold(PulledChange& into, PulledChange&& later) {
        into.seq = later.seq;
        into.owner_id = std::move(later.owner_id);
        for (auto& f : later.fields) {
            auto same = std::find_if(into.fields.begin(), into.fields.end(),
                                     [&](const FieldValue& g) { return g.field == f.field; });
            if (same == into.fields.end()) into.fields.push_back(std::move(f));
            else *same = std::move(f);
        }
    }

    std::unordered_map<Key, Run, KeyHash> runs_;
    std::deque<PulledChange> folded_;  // stable addresses
    std::vector<PulledChange*> order_;
};

}  // namespace

Result<PageOutcome> apply_page(storage::Transaction& tx, Book& book, PullPage& page,
                               const std::string& store_id, const PendingFields& pending,
                               const std::set<RecordKey>& pushed) {
    PageOutcome outcome;
    for (const auto& change : page.changes) {
        if (!model::find_table(change.table)) continue;  // the codec only lets known tables through
        ++outcome.applied;
        for (const auto& f : change.fields) outcome.newest = std::max(outcome.newest, f.version.hlc);
        if (pending.empty()) continue;
        auto it = pending.find({change.table, change.record_id});
        if (it == pending.end()) continue;
        for (const auto& f : change.fields)
            if (it->second.contains(f.field)) ++outcome.kept_local;
    }
    const FoldedPage folded(page);
    for (auto* change : folded.changes()) {
        const auto* table = model::find_table(change->table);
        if (!table) continue;
        if (change->op == PulledOp::purge) {
            FC_TRY(book.records().purge(tx, *table, change->record_id));
            continue;
        }
        bool held = false;
        if (pushed.contains(RecordKey{change->table, change->record_id})) {
            FC_ASSIGN(held, already_held(book, *table, *change));
        }
        if (held) ++outcome.unchanged;
        else FC_TRY(apply_upsert(tx, book, *table, *change, store_id, pending));
    }
    return outcome;
}

}  // namespace forecourt::sync::detail
