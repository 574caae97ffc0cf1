// POST /v1/sync on the store server: apply the pushed batch in one transaction
// (idempotent by device and seq), then read a page of the device's scope.
#include <algorithm>

#include "forecourt/core/store/record_scope.hpp"
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/merge.hpp"
#include "forecourt/sync/server/store_service.hpp"

namespace forecourt::sync {

using nlohmann::json;

namespace {

std::string missing_required(const model::TableSpec& table, const Change& change) {
    std::string missing;
    for (const auto& spec : table.fields) {
        if (!spec.required) continue;
        const bool given = std::any_of(change.fields.begin(), change.fields.end(), [&](const auto& f) {
            return f.field == spec.name && !f.value.is_null();
        });
        if (!given) missing += (missing.empty() ? "" : ", ") + std::string(spec.name);
    }
    return missing;
}

// Conflicts to the journal, the resulting field states to the change log.
Status record_merge(store::StoreDatabase& store, storage::Transaction& tx, const Change& change,
                    const store::DeviceRow& device, const RecordMerge& merged,
                    const std::string& owner, bool echo, PushResult& result) {
    const auto now = store.clock().now_ms();
    store::LogEntry entry{0, now, std::string(store::kOpUpsert), change.table, change.record_id,
                          owner, {}, device.id, change.seq, echo};
    entry.fields.reserve(merged.fields.size());
    for (const auto& d : merged.fields) {
        entry.fields.push_back(store::LoggedField{d.field, d.value, d.version});
        if (!d.conflict) continue;
        ++result.conflicts;
        const auto& c = *d.conflict;
        FC_TRY(store.journal().add_conflict(
            tx, store::ConflictRow{0, now, change.table, change.record_id, d.field, owner, c.winner_value,
                                   c.winner_version, c.loser_value, c.loser_version, device.id,
                                   change.seq}));
    }
    FC_TRY(store.log().append(tx, entry));
    return ok_status();
}

// Every pushed field was written as sent (none lost to a newer value).
bool all_applied(const RecordMerge& merged) {
    return std::all_of(merged.fields.begin(), merged.fields.end(), [](const FieldDecision& d) { return d.apply; });
}

// Room for the whole page at once: grown by doubling, a page of 800 KB
// was copied a dozen times into memory the kernel had to map afresh.
void reserve_and_add(EncodedPullPage& out, const std::vector<store::WireEntry>& entries) {
    std::size_t bytes = 0;
    for (const auto& e : entries)
        bytes += e.fields.size() + e.table.size() + e.record_id.size() + e.audience.value_or("").size() + 64;
    out.changes.reserve(bytes);
    for (const auto& e : entries) out.add(e);
}

// A tablet clock far ahead is not trusted; the audit keeps both stamps.
Status audit_restamp(store::StoreDatabase& store, storage::Transaction& tx,
                     const store::DeviceRow& device, const Change& change, const Stamp& stamp) {
    const json detail = {{"seq", change.seq}, {"table", change.table}, {"record_id", change.record_id},
                         {"from", hlc_to_hex(stamp.original)}, {"to", hlc_to_hex(stamp.version.hlc)}};
    FC_TRY(store.journal().audit(tx, store.clock().now_ms(), "device:" + device.id, "restamp", detail));
    return ok_status();
}

}  // namespace

Result<Response> StoreService::sync(const store::DeviceRow& device, const SyncRequest& request) {
    // A batch sent before the answer to the one ahead of it is refused until
    // that one is applied: applied first, it would raise the device's mark
    // past the earlier batch's changes, which would then pass for duplicates.
    if (request.follows && *request.follows > device.acked_seq && !request.push.empty())
        return make_error(ErrorCode::conflict,
                          "this batch follows change " + std::to_string(*request.follows) +
                              ", but the store holds this device's changes only up to " +
                              std::to_string(device.acked_seq) + ": push the batch before it first",
                          ErrorDomain::sync);
    const bool revoked = device.status == store::kDeviceRevoked;
    Audiences touched;
    PushResult pushed;
    {
        FC_ASSIGN(auto tx, storage::Transaction::begin(store_->db()));
        const auto cursor = request.pull ? request.pull->cursor : device.cursor;
        FC_ASSIGN(pushed, apply_push(tx, device, request.push, cursor, touched));
        FC_TRY(store_->devices().record_sync(tx, device.id, pushed.acked_seq, cursor,
                                             store_->clock().now_ms()));
        // A revoked tablet that has nothing left to push has made its final push.
        const bool nothing_new = std::none_of(request.push.begin(), request.push.end(),
                                              [&](const Change& c) { return c.seq > device.acked_seq; });
        if (revoked && nothing_new) FC_TRY(store_->devices().set_status(tx, device.id, store::kDeviceWiped));
        FC_TRY(store_->save_clock(tx));
        FC_TRY(tx.commit());
    }
    FC_TRY(queue_pokes(touched, device.id));
    SyncResponse response;
    response.device_status = revoked ? DeviceStatus::revoked : DeviceStatus::active;
    response.store_id = store_->identity().store_id;
    response.server_hlc = store_->hlc().last();
    response.push = pushed;
    if (request.pull && !revoked) {
        page_to_read_ = PageToRead{device, *request.pull, std::move(response)};
        return Response{200, {}};  // handle() answers with the page
    }
    return Response{200, encode(response)};
}

Result<PushResult> StoreService::apply_push(storage::Transaction& tx, const store::DeviceRow& device,
                                            const std::vector<Change>& changes, std::int64_t cursor,
                                            Audiences& touched) {
    PushResult result;
    result.acked_seq = device.acked_seq;
    // Echoes: a device that has pulled everything up to this batch holds the
    // state of each of its changes the store takes as sent, so that entry is
    // not sent back to it. Once an entry of a record goes back (the store
    // decided otherwise), the device will rewrite that record from it, and
    // the batch's later entries of the record go back too.
    Echoes echoes;
    if (!changes.empty() && device.status != store::kDeviceRevoked) {
        FC_ASSIGN(const bool behind, store_->log().any_after(cursor, {device.consultant_id, device.id}));
        echoes.possible = !behind;
    }
    for (const auto& change : changes) {
        if (change.seq <= result.acked_seq) {
            ++result.duplicates;  // applied by an earlier request whose answer was lost
            continue;
        }
        if (device.status == store::kDeviceRevoked) {
            ++result.review;
            FC_TRY(keep_for_review(tx, device, change,
                                   "pushed by a tablet whose consultant was deactivated", false));
        } else {
            FC_TRY(apply_change(tx, device, change, result, echoes, touched));
        }
        result.acked_seq = change.seq;
    }
    return result;
}

Status StoreService::apply_change(storage::Transaction& tx, const store::DeviceRow& device,
                                  const Change& change, PushResult& result, Echoes& echoes,
                                  Audiences& touched) {
    const auto& table = *model::find_table(change.table);
    const Stamp stamp = stamp_change(store_->hlc(), change.hlc, device.id, limits_.max_clock_skew_ms);
    if (stamp.restamped) {
        ++result.restamped;
        FC_TRY(audit_restamp(*store_, tx, device, change, stamp));
    }
    if (table.kind == model::TableKind::reference) {
        ++result.review;
        return keep_for_review(tx, device, change, "store reference data is changed by the store only", false);
    }
    FC_ASSIGN(auto current, store_->records().read(table, change.record_id));
    if (!current) {
        if (auto missing = missing_required(table, change); !missing.empty()) {
            ++result.review;
            return keep_for_review(tx, device, change, "a new record without " + missing, false);
        }
    }
    std::string owner;
    if (current) {
        owner = (*current)["owner_id"].get<std::string>();
    } else {
        FC_ASSIGN(owner, owner_for_new(table, change, device));
    }
    const auto merged = merge_record(table, current, change, stamp.version, device.id);
    ++result.applied;
    if (merged.duplicate) return ok_status();
    if (!merged.writes.empty())
        FC_TRY(store_->records().put(tx, table, change.record_id, store_->identity().store_id, owner,
                                     merged.writes));
    const bool taken_as_sent = !stamp.restamped && owner == device.consultant_id && all_applied(merged);
    const bool echo = echoes.echo({change.table, change.record_id}, taken_as_sent);
    FC_TRY(record_merge(*store_, tx, change, device, merged, owner, echo, result));
    touched.insert(owner);
    if (owner == device.consultant_id) return ok_status();
    ++result.review;
    return keep_for_review(tx, device, change,
                           "outside the tablet's scope: the record belongs to consultant " + owner, true);
}

Status StoreService::keep_for_review(storage::Transaction& tx, const store::DeviceRow& device,
                                     const Change& change, std::string reason, bool applied) {
    store::ReviewRow row{0, store_->clock().now_ms(), device.id, device.consultant_id, std::move(reason),
                         change.table, change.record_id, applied, to_json(change)};
    FC_TRY(store_->journal().add_review(tx, row));
    return ok_status();
}

Result<std::string> StoreService::owner_for_new(const model::TableSpec& table, const Change& change,
                                                const store::DeviceRow& device) {
    if (!store::is_customer_child(table)) return device.consultant_id;
    for (const auto& f : change.fields) {
        if (f.field != "customer_id" || !f.value.is_string()) continue;
        FC_ASSIGN(auto owner, store_->scope().owner_of(*model::find_table("customers"),
                                                       f.value.get<std::string>()));
        if (owner) return *owner;
    }
    return device.consultant_id;
}

// The page goes out as the log stores it: its entries are not parsed here
// (the tablet checks every change as it decodes the page). A tablet that has
// pulled nothing yet may ask for a snapshot of its scope instead.
Result<EncodedPullPage> StoreService::read_page(store::ReadView& db, const store::DeviceRow& device,
                                                const PullRequest& pull) {
    if (pull.snapshot && pull.cursor == 0) return read_snapshot_page(db, device, pull);
    const int limit = std::clamp(pull.limit, 1, limits_.max_pull_page);
    const store::LogReader reader{device.consultant_id, device.id};
    FC_ASSIGN(auto page, db.log().wire_page(pull.cursor, reader, limit, limits_.max_page_bytes));
    EncodedPullPage out;
    out.cursor = page.cursor;
    out.more = page.more;
    reserve_and_add(out, page.entries);
    if (pull.count) {
        out.remaining = 0;
        if (page.more) {
            FC_ASSIGN(out.remaining, db.log().count_after(page.cursor, reader));
        }
    }
    return out;
}

// A snapshot started now stands at the log's head: once its last page is
// pulled, the log from there brings what changed while it was under way.
Result<EncodedPullPage> StoreService::read_snapshot_page(store::ReadView& db,
                                                         const store::DeviceRow& device,
                                                         const PullRequest& pull) {
    store::SnapshotPosition from = *pull.snapshot;
    if (from.head == 0) {
        FC_ASSIGN(from.head, db.log().head());
    }
    const int limit = std::clamp(pull.limit, 1, limits_.max_pull_page);
    FC_ASSIGN(auto page, db.snapshot().page(device.consultant_id, from, limit, limits_.max_page_bytes));
    const store::LogReader reader{device.consultant_id, device.id};
    EncodedPullPage out;
    out.snapshot = page.next;
    out.cursor = page.next ? 0 : from.head;
    if (page.next) {
        out.more = true;
    } else {
        FC_ASSIGN(out.more, db.log().any_after(from.head, reader));
    }
    reserve_and_add(out, page.entries);
    if (pull.count) {
        FC_ASSIGN(out.remaining, db.log().count_after(from.head, reader));
        if (page.next) {
            FC_ASSIGN(auto records, db.snapshot().count_after(device.consultant_id, *page.next));
            *out.remaining += records;
        }
    }
    return out;
}

}  // namespace forecourt::sync
