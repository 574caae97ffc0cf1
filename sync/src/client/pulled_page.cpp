// Applying pulled changes to the tablet's book: upserts by the merge rules
// (never over an unsynced local edit), purges of records handed away.
#include "pulled_page.hpp"

#include "forecourt/sync/merge.hpp"

namespace forecourt::sync::detail {

Result<PendingFields> pending_fields(Book& book, const PullPage& page) {
    PendingFields out;
    // Usually the outbox is empty by the time a page arrives (this round's
    // push went first): one probe instead of a lookup per record.
    FC_ASSIGN(const bool waiting, book.changes().has_pending());
    if (!waiting) return out;
    for (const auto& change : page.changes) {
        const std::pair<std::string, std::string> key{change.table, change.record_id};
        if (out.contains(key)) continue;
        FC_ASSIGN(auto fields, book.changes().pending_fields(change.table, change.record_id));
        if (!fields.empty()) out.emplace(key, std::move(fields));
    }
    return out;
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

Status apply_upsert(storage::Transaction& tx, Book& book, const model::TableSpec& table,
                    const PulledChange& change, const std::string& store_id,
                    const PendingFields& pending, PageOutcome& outcome) {
    static const std::set<std::string> kNone;
    auto it = pending.find({change.table, change.record_id});
    const auto& local = it == pending.end() ? kNone : it->second;
    const auto writes = merge_pulled(change, local);
    for (const auto& f : change.fields)
        if (local.contains(f.field)) ++outcome.kept_local;
    // A record handed to this consultant may already be here from before; the
    // server's owner is the truth.
    if (writes.empty()) return book.records().set_owner(tx, table, change.record_id, change.owner_id);
    return book.records().put(tx, table, change.record_id, store_id, change.owner_id, writes,
                              storage::RecordStore::Owner::take);
}

}  // namespace

Result<PageOutcome> apply_page(storage::Transaction& tx, Book& book, const PullPage& page,
                               const std::string& store_id, const PendingFields& pending,
                               const std::set<RecordKey>& pushed) {
    PageOutcome outcome;
    for (const auto& change : page.changes) {
        const auto* table = model::find_table(change.table);
        if (!table) continue;  // the codec only lets known tables through
        if (change.op == PulledOp::purge) {
            FC_TRY(book.records().purge(tx, *table, change.record_id));
        } else {
            bool held = false;
            if (pushed.contains(RecordKey{change.table, change.record_id})) {
                FC_ASSIGN(held, already_held(book, *table, change));
            }
            if (held) ++outcome.unchanged;
            else FC_TRY(apply_upsert(tx, book, *table, change, store_id, pending, outcome));
            for (const auto& f : change.fields) outcome.newest = std::max(outcome.newest, f.version.hlc);
        }
        ++outcome.applied;
    }
    return outcome;
}

}  // namespace forecourt::sync::detail
