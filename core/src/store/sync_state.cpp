// The tablet's sync state row, and adopting the store's identity at enrolment.
#include "forecourt/core/store/sync_state.hpp"

#include <nlohmann/json.hpp>

namespace forecourt::store {

using nlohmann::json;
using storage::Query;

namespace {

constexpr std::string_view kSnapshotKey = "sync_snapshot";

}  // namespace

Result<SyncState> SyncStateStore::load() {
    FC_ASSIGN(auto q, Query::prepare(*db_,
        "SELECT status, server_url, server_pin, device_id, device_name, token, store_id, cursor, "
        "enrolled_at, last_sync_at, last_error FROM sync_state WHERE id = 1"));
    FC_ASSIGN(bool row, q->step());
    SyncState s;
    if (!row) return s;
    s.status = q->text(0);
    s.server_url = q->text(1);
    s.server_pin = q->text(2);
    s.device_id = q->text(3);
    s.device_name = q->text(4);
    s.token = q->text(5);
    s.store_id = q->text(6);
    s.cursor = q->int64(7);
    s.enrolled_at = q->opt_int64(8);
    s.last_sync_at = q->opt_int64(9);
    s.last_error = q->opt_text(10);
    FC_ASSIGN(s.snapshot, load_snapshot());
    return s;
}

// Kept as {"head", "table", "after", "sent"}; text that does not read as one
// starts the snapshot again, which only costs the pages already pulled.
Result<std::optional<SnapshotPosition>> SyncStateStore::load_snapshot() {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT value FROM book_meta WHERE key = ?"));
    q->bind(1, kSnapshotKey);
    FC_ASSIGN(bool row, q->step());
    if (!row) return std::optional<SnapshotPosition>{};
    const json j = json::parse(q->text_view(0), nullptr, false);
    SnapshotPosition p;
    const bool valid = j.is_object() && j.value("head", json()).is_number_integer() &&
                       j.value("table", json()).is_string() && j.value("after", json()).is_string() &&
                       j.value("sent", json()).is_number_integer();
    if (!valid) return std::optional<SnapshotPosition>{};
    p.head = j["head"].get<std::int64_t>();
    p.table = j["table"].get<std::string>();
    p.after = j["after"].get<std::string>();
    p.sent = j["sent"].get<std::int64_t>();
    return std::optional<SnapshotPosition>{std::move(p)};
}

Status SyncStateStore::put_meta(std::string_view key, const std::string& value) {
    FC_ASSIGN(auto q, Query::prepare(*db_, "INSERT INTO book_meta (key, value) VALUES (?, ?) "
                                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    q->bind(1, key).bind(2, value);
    return q->run();
}

Status SyncStateStore::save_enrolment(storage::Transaction& tx, Book& book, const Enrolment& e) {
    const BookIdentity before = book.identity();
    for (const auto& table : model::synced_tables())
        FC_TRY(book.records().adopt_identity(tx, table, before.consultant_id, e.consultant_id,
                                             e.store_id));
    FC_TRY(book.changes().adopt_consultant(tx, before.consultant_id, e.consultant_id));
    book.changes().set_store_id(e.store_id);
    FC_TRY(put_meta("store_id", e.store_id));
    FC_TRY(put_meta("consultant_id", e.consultant_id));
    FC_TRY(put_meta("consultant_name", e.consultant_name));
    FC_TRY(set_snapshot(tx, std::nullopt));
    FC_ASSIGN(auto q, Query::prepare(*db_,
        "UPDATE sync_state SET status = 'enrolled', server_url = ?, server_pin = ?, device_id = ?, "
        "device_name = ?, token = ?, store_id = ?, enrolled_at = ?, last_error = NULL WHERE id = 1"));
    q->bind(1, e.server_url).bind(2, e.server_pin).bind(3, e.device_id).bind(4, e.device_name);
    q->bind(5, e.token).bind(6, e.store_id).bind(7, e.at);
    return q->run();
}

Status SyncStateStore::set_cursor(storage::Transaction& tx, std::int64_t cursor) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_, "UPDATE sync_state SET cursor = ? WHERE id = 1"));
    q->bind(1, cursor);
    return q->run();
}

Status SyncStateStore::set_snapshot(storage::Transaction& tx, const std::optional<SnapshotPosition>& position) {
    (void)tx;
    if (position) {
        const json j = {{"head", position->head}, {"table", position->table}, {"after", position->after},
                        {"sent", position->sent}};
        return put_meta(kSnapshotKey, j.dump());
    }
    FC_ASSIGN(auto q, Query::prepare(*db_, "DELETE FROM book_meta WHERE key = ?"));
    q->bind(1, kSnapshotKey);
    return q->run();
}

Status SyncStateStore::set_status(storage::Transaction& tx, std::string_view status) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_, "UPDATE sync_state SET status = ? WHERE id = 1"));
    q->bind(1, status);
    return q->run();
}

Status SyncStateStore::record_sync(storage::Transaction& tx, platform::EpochMs at,
                                   const std::optional<std::string>& error) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_, "UPDATE sync_state SET last_sync_at = ?, last_error = ? "
                                           "WHERE id = 1"));
    q->bind(1, at).bind(2, error);
    return q->run();
}

Status SyncStateStore::save_clock(storage::Transaction& tx, Hlc hlc) {
    (void)tx;
    {
        FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT value FROM book_meta WHERE key = 'hlc'"));
        FC_ASSIGN(bool row, q->step());
        if (row && std::stoull(q->text(0)) >= hlc.packed) return ok_status();
    }
    return put_meta("hlc", std::to_string(hlc.packed));
}

}  // namespace forecourt::store
