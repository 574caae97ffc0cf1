// The conflicts log, the review queue and the audit log.
#include "forecourt/core/store/store_journal.hpp"

namespace forecourt::store {

using nlohmann::json;
using storage::Query;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json parse(const std::string& text) {
    auto j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json() : j;
}

Version version_from(const std::string& text) { return Version::parse(text).value_or(Version{}); }

ConflictRow conflict_from(storage::Statement& st) {
    ConflictRow r;
    r.id = st.int64(0);
    r.at = st.int64(1);
    r.table = st.text(2);
    r.record_id = st.text(3);
    r.field = st.text(4);
    r.owner_id = st.text(5);
    r.winner_value = parse(st.text(6));
    r.winner_version = version_from(st.text(7));
    r.loser_value = parse(st.text(8));
    r.loser_version = version_from(st.text(9));
    r.device_id = st.text(10);
    r.seq = st.int64(11);
    return r;
}

ReviewRow review_from(storage::Statement& st) {
    return ReviewRow{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4),
                     st.text(5),  st.text(6),  st.int64(7) != 0, parse(st.text(8))};
}

template <typename Row, typename Map>
Result<std::vector<Row>> collect(Query& q, Map map) {
    std::vector<Row> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        out.push_back(map(*q));
    }
    return out;
}

}  // namespace

Result<std::int64_t> StoreJournal::add_conflict(storage::Transaction& tx, const ConflictRow& r) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_,
        "INSERT INTO conflicts (at, tbl, record_id, field, owner_id, winner_value, winner_version, "
        "loser_value, loser_version, device_id, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q->bind(1, r.at).bind(2, r.table).bind(3, r.record_id).bind(4, r.field).bind(5, r.owner_id);
    q->bind(6, dump(r.winner_value)).bind(7, r.winner_version.to_string());
    q->bind(8, dump(r.loser_value)).bind(9, r.loser_version.to_string());
    q->bind(10, r.device_id).bind(11, r.seq);
    FC_TRY(q->run());
    return db_->last_insert_rowid();
}

Result<std::int64_t> StoreJournal::add_review(storage::Transaction& tx, const ReviewRow& r) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_,
        "INSERT INTO review_queue (at, device_id, consultant_id, reason, tbl, record_id, applied, "
        "change) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    q->bind(1, r.at).bind(2, r.device_id).bind(3, r.consultant_id).bind(4, r.reason);
    q->bind(5, r.table).bind(6, r.record_id).bind(7, r.applied ? 1 : 0).bind(8, dump(r.change));
    FC_TRY(q->run());
    return db_->last_insert_rowid();
}

Result<std::int64_t> StoreJournal::audit(storage::Transaction& tx, platform::EpochMs at,
                                         std::string_view actor, std::string_view action,
                                         const json& detail) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_, "INSERT INTO audit_log (at, actor, action, detail) "
                                           "VALUES (?, ?, ?, ?)"));
    q->bind(1, at).bind(2, actor).bind(3, action).bind(4, dump(detail));
    FC_TRY(q->run());
    return db_->last_insert_rowid();
}

Result<std::vector<ConflictRow>> StoreJournal::conflicts(std::int64_t after, int limit) {
    FC_ASSIGN(auto q, Query::prepare(*db_,
        "SELECT id, at, tbl, record_id, field, owner_id, winner_value, winner_version, "
        "loser_value, loser_version, device_id, seq FROM conflicts WHERE id > ? ORDER BY id LIMIT ?"));
    q->bind(1, after).bind(2, limit);
    return collect<ConflictRow>(q, conflict_from);
}

Result<std::vector<ReviewRow>> StoreJournal::review(std::int64_t after, int limit) {
    FC_ASSIGN(auto q, Query::prepare(*db_,
        "SELECT id, at, device_id, consultant_id, reason, tbl, record_id, applied, change "
        "FROM review_queue WHERE id > ? ORDER BY id LIMIT ?"));
    q->bind(1, after).bind(2, limit);
    return collect<ReviewRow>(q, review_from);
}

Result<std::vector<AuditRow>> StoreJournal::audit_entries(std::int64_t after, int limit,
                                                          std::optional<std::string_view> action) {
    FC_ASSIGN(auto q, Query::prepare(*db_,
        "SELECT id, at, actor, action, detail FROM audit_log WHERE id > ?1 "
        "AND (?2 IS NULL OR action = ?2) ORDER BY id LIMIT ?3"));
    q->bind(1, after).bind(3, limit);
    if (action) q->bind(2, *action);
    return collect<AuditRow>(q, [](storage::Statement& st) {
        return AuditRow{st.int64(0), st.int64(1), st.text(2), st.text(3), parse(st.text(4))};
    });
}

}  // namespace forecourt::store
