// Local writes of synced records, stamped and captured in the outbox.
#include "forecourt/core/storage/change_capture.hpp"

#include <string>
#include <string_view>

namespace forecourt::storage {

using nlohmann::json;

namespace {

// The seq an outbox row takes: one more than the newest ever used, which is
// the outbox's newest row or, once that has left, `book_meta.outbox_seq`
// (raised by the outbox's delete trigger; see schema v9).
constexpr std::string_view kLastSeq =
    "max(coalesce((SELECT max(seq) FROM outbox), 0), "
    "coalesce((SELECT CAST(value AS INTEGER) FROM book_meta WHERE key = 'outbox_seq'), 0))";

}  // namespace

json outbox_fields_to_json(const std::vector<OutboxField>& fields) {
    json out = json::object();
    for (const auto& f : fields) {
        out[f.field] = {{"value", f.value},
                        {"base", f.base ? json(f.base->to_string()) : json(nullptr)}};
    }
    return out;
}

std::vector<OutboxField> outbox_fields_from_json(const json& j) {
    std::vector<OutboxField> out;
    if (!j.is_object()) return out;
    for (const auto& [field, v] : j.items()) {
        OutboxField f{field, v.value("value", json()), std::nullopt};
        if (auto b = v.find("base"); b != v.end() && b->is_string())
            f.base = Version::parse(b->get<std::string>());
        out.push_back(std::move(f));
    }
    return out;
}

Result<Hlc> ChangeCapture::write(Transaction& tx, const model::TableSpec& table,
                                 const std::string& id, const std::string& owner_id,
                                 const json& fields) {
    if (table.kind == model::TableKind::reference)
        return make_error(ErrorCode::forbidden,
                          std::string(table.name) + " is store reference data; only the store server changes it");
    FC_ASSIGN(auto existing, records_->versions(table, id));
    if (existing && table.kind == model::TableKind::append_only)
        return make_error(ErrorCode::invalid_state,
                          std::string(table.name) + " " + id + " is history and cannot be changed");
    std::optional<json> current;
    if (existing) {
        FC_ASSIGN(auto row, records_->read(table, id));
        current = std::move(row);
    }
    const Hlc hlc = clock_->tick();
    const Version version{hlc, replica_};
    std::vector<FieldWrite> writes;
    std::vector<OutboxField> captured;
    for (const auto& [field, value] : fields.items()) {
        if (current && (*current)[field] == value) continue;
        std::optional<Version> base;
        if (existing) {
            if (auto it = existing->find(field); it != existing->end()) base = it->second;
        }
        writes.push_back(FieldWrite{field, value, version});
        captured.push_back(OutboxField{field, value, base});
    }
    if (writes.empty()) return hlc;
    FC_TRY(records_->put(tx, table, id, store_, owner_id, writes));
    static const std::string insert = "INSERT INTO outbox (seq, tbl, record_id, hlc, fields) VALUES (1 + " +
                                      std::string(kLastSeq) + ", ?, ?, ?, ?)";
    FC_ASSIGN(auto q, Query::prepare(records_->db(), insert));
    q->bind(1, table.name).bind(2, id).bind(3, static_cast<std::int64_t>(hlc.packed));
    q->bind(4, outbox_fields_to_json(captured).dump());
    FC_TRY(q->run());
    return hlc;
}

namespace {

// The change in a row whose first columns are seq, tbl, record_id, hlc, fields
// (the outbox's, and outbox_refused's), its fields as stored.
StoredChange stored_at(const Statement& q) {
    return StoredChange{q.int64(0), q.text(1), q.text(2), Hlc{static_cast<std::uint64_t>(q.int64(3))}, q.text(4)};
}

// The same change with its fields parsed.
OutboxEntry entry_at(const Statement& q) {
    StoredChange s = stored_at(q);
    return OutboxEntry{s.seq, std::move(s.table), std::move(s.record_id), s.hlc,
                       outbox_fields_from_json(json::parse(s.fields, nullptr, false))};
}

// Up to `limit` outbox rows after `after_seq`, oldest first, read by entry_at().
Result<Query> pending_query(Database& db, std::int64_t after_seq, int limit) {
    FC_ASSIGN(auto q, Query::prepare(db, "SELECT seq, tbl, record_id, hlc, fields FROM outbox "
                                         "WHERE seq > ? ORDER BY seq LIMIT ?"));
    q->bind(1, after_seq).bind(2, limit);
    return q;
}

}  // namespace

Result<std::vector<OutboxEntry>> ChangeCapture::pending(std::int64_t after_seq, int limit) {
    FC_ASSIGN(auto q, pending_query(records_->db(), after_seq, limit));
    std::vector<OutboxEntry> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        out.push_back(entry_at(*q));
    }
    return out;
}

Result<std::int64_t> ChangeCapture::pending_count() {
    FC_ASSIGN(auto q, Query::prepare(records_->db(), "SELECT count(*) FROM outbox"));
    FC_ASSIGN(bool row, q->step());
    return row ? q->int64(0) : 0;
}

Result<std::vector<StoredChange>> ChangeCapture::pending_stored(std::int64_t after_seq, int limit) {
    FC_ASSIGN(auto q, pending_query(records_->db(), after_seq, limit));
    std::vector<StoredChange> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        StoredChange& c = out.emplace_back(stored_at(*q));
        // What pending() reads as no fields at all goes out as none: the
        // store refuses that change by itself, and the batch still parses.
        if (c.fields.empty() || c.fields.front() != '{' || !json::accept(c.fields)) c.fields = "{}";
    }
    return out;
}

Result<bool> ChangeCapture::has_pending() {
    FC_ASSIGN(auto any, query_int64(records_->db(), "SELECT EXISTS (SELECT 1 FROM outbox)"));
    return any != 0;
}

Result<PendingFieldsByRecord> ChangeCapture::pending_fields(const std::set<RecordRef>& records) {
    PendingFieldsByRecord out;
    if (records.empty()) return out;
    FC_ASSIGN(auto q, Query::prepare(records_->db(), "SELECT tbl, record_id, fields FROM outbox"));
    RecordRef key;  // reused: a row that does not match allocates nothing
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        key.first.assign(q->text_view(0));
        key.second.assign(q->text_view(1));
        if (!records.contains(key)) continue;
        auto& fields = out[key];
        const json set = json::parse(q->text_view(2), nullptr, false);
        if (!set.is_object()) continue;
        for (const auto& item : set.items()) fields.insert(item.key());
    }
    return out;
}

Status ChangeCapture::acknowledge(Transaction& tx, std::int64_t seq) {
    (void)tx;
    // The outbox holds the newest local stamps (Book::load_identity starts the
    // clock after them): before they leave, book_meta keeps the newest.
    FC_ASSIGN(auto keep, Query::prepare(records_->db(),
                                        "INSERT INTO book_meta (key, value) "
                                        "SELECT 'hlc', CAST(max(hlc) AS TEXT) FROM outbox WHERE seq <= ?1 "
                                        "GROUP BY NULL HAVING max(hlc) IS NOT NULL "
                                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value "
                                        "WHERE CAST(excluded.value AS INTEGER) > CAST(book_meta.value AS INTEGER)"));
    keep->bind(1, seq);
    FC_TRY(keep->run());
    FC_ASSIGN(auto q, Query::prepare(records_->db(), "DELETE FROM outbox WHERE seq <= ?"));
    q->bind(1, seq);
    return q->run();
}

Status ChangeCapture::set_aside(Transaction& tx, std::int64_t seq, const std::string& reason,
                                std::int64_t at_ms) {
    (void)tx;
    FC_ASSIGN(auto copy, Query::prepare(records_->db(),
                                        "INSERT INTO outbox_refused (seq, tbl, record_id, hlc, fields, reason, refused_at) "
                                        "SELECT seq, tbl, record_id, hlc, fields, ?, ? FROM outbox WHERE seq = ?"));
    copy->bind(1, reason).bind(2, at_ms).bind(3, seq);
    FC_TRY(copy->run());
    if (records_->db().changes() != 1)
        return make_error(ErrorCode::not_found, "no change " + std::to_string(seq) + " waits in the outbox",
                          ErrorDomain::storage);
    FC_ASSIGN(auto remove, Query::prepare(records_->db(), "DELETE FROM outbox WHERE seq = ?"));
    remove->bind(1, seq);
    return remove->run();
}

Result<std::int64_t> ChangeCapture::refused_count() {
    return query_int64(records_->db(), "SELECT count(*) FROM outbox_refused");
}

Result<std::int64_t> ChangeCapture::requeue_refused(Transaction& tx) {
    (void)tx;
    static const std::string requeue =
        "INSERT INTO outbox (seq, tbl, record_id, hlc, fields) "
        "SELECT last.seq + row_number() OVER (ORDER BY r.seq), r.tbl, r.record_id, r.hlc, r.fields "
        "FROM outbox_refused AS r, (SELECT " + std::string(kLastSeq) + " AS seq) AS last ORDER BY r.seq";
    FC_ASSIGN(auto copy, Query::prepare(records_->db(), requeue));
    FC_TRY(copy->run());
    const std::int64_t moved = records_->db().changes();
    FC_TRY(records_->db().exec("DELETE FROM outbox_refused"));
    return moved;
}

Result<std::vector<RefusedChange>> ChangeCapture::refused(int limit) {
    FC_ASSIGN(auto q, Query::prepare(records_->db(),
                                     "SELECT seq, tbl, record_id, hlc, fields, reason, refused_at "
                                     "FROM outbox_refused ORDER BY seq LIMIT ?"));
    q->bind(1, limit);
    std::vector<RefusedChange> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        out.push_back(RefusedChange{entry_at(*q), q->text(5), q->int64(6)});
    }
    return out;
}

Status ChangeCapture::adopt_consultant(Transaction& tx, const std::string& from,
                                       const std::string& to) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(records_->db(),
                                     "UPDATE outbox SET fields = json_set(fields, '$.consultant_id.value', ?2) "
                                     "WHERE json_extract(fields, '$.consultant_id.value') = ?1"));
    q->bind(1, from).bind(2, to);
    return q->run();
}

}  // namespace forecourt::storage
