// Migrations of the store server's database. Never edit a released migration:
// add one. The synced tables reuse the book's migrations, so a table or column
// added to the book must be added here too, in a new store migration.
#include <array>
#include <vector>

#include "forecourt/core/store/store_database.hpp"

namespace forecourt::store {
namespace {

// v3: the server's own tables.
// - devices: one row per enrolled tablet; acked_seq is the high-water mark of
//   its changes already applied, so a retried batch is applied once.
// - enrolment_codes: one-time codes, hashed, 15-minute lifetime, used once.
// - change_log: every accepted change, numbered; audience is whose devices
//   pull it (NULL: everyone, for reference data).
// - conflicts, review_queue, audit_log: what the manager sees.
constexpr std::string_view kV3StoreTables = R"sql(
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX customers_by_owner ON customers(owner_id);
CREATE TABLE devices (
  id TEXT PRIMARY KEY, consultant_id TEXT NOT NULL, name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'wiped')),
  acked_seq INTEGER NOT NULL DEFAULT 0, cursor INTEGER NOT NULL DEFAULT 0,
  enrolled_at INTEGER NOT NULL, last_seen_at INTEGER) WITHOUT ROWID;
CREATE INDEX devices_by_consultant ON devices(consultant_id);
CREATE TABLE enrolment_codes (
  code_hash TEXT PRIMARY KEY, consultant_id TEXT NOT NULL, issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, used_at INTEGER, device_id TEXT) WITHOUT ROWID;
CREATE TABLE change_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('upsert', 'purge')),
  tbl TEXT NOT NULL, record_id TEXT NOT NULL, audience TEXT, fields TEXT NOT NULL,
  origin_device TEXT, origin_seq INTEGER NOT NULL DEFAULT 0);
CREATE INDEX change_log_by_audience ON change_log(audience, seq);
CREATE INDEX change_log_by_origin ON change_log(origin_device, origin_seq)
  WHERE origin_device IS NOT NULL;
CREATE TABLE conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, tbl TEXT NOT NULL,
  record_id TEXT NOT NULL, field TEXT NOT NULL, owner_id TEXT NOT NULL,
  winner_value TEXT NOT NULL, winner_version TEXT NOT NULL,
  loser_value TEXT NOT NULL, loser_version TEXT NOT NULL,
  device_id TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX conflicts_by_record ON conflicts(tbl, record_id);
CREATE TABLE review_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, device_id TEXT NOT NULL,
  consultant_id TEXT NOT NULL, reason TEXT NOT NULL, tbl TEXT NOT NULL,
  record_id TEXT NOT NULL, applied INTEGER NOT NULL, change TEXT NOT NULL);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, detail TEXT NOT NULL);
)sql";

// v4: echo = 1 marks an entry whose state the pushing device (origin_device)
// already holds exactly; that device does not pull it back (sync/PROTOCOL.md).
constexpr std::string_view kV4Echoes = R"sql(
ALTER TABLE change_log ADD COLUMN echo INTEGER NOT NULL DEFAULT 0;
)sql";

// v5: a consultant's records in id order, table by table, for the snapshot a
// new tablet pulls first (scope_snapshot.hpp).
constexpr std::string_view kV5ScopeByOwner = R"sql(
CREATE INDEX customers_by_owner_and_id ON customers(owner_id, id);
DROP INDEX customers_by_owner;
CREATE INDEX vehicles_by_owner_and_id ON vehicles(owner_id, id);
CREATE INDEX events_by_owner_and_id ON events(owner_id, id);
CREATE INDEX follow_ups_by_owner_and_id ON follow_ups(owner_id, id);
CREATE INDEX contacts_by_owner_and_id ON contacts(owner_id, id);
CREATE INDEX test_drives_by_owner_and_id ON test_drives(owner_id, id);
CREATE INDEX grade_changes_by_owner_and_id ON grade_changes(owner_id, id);
)sql";

std::vector<storage::Migration> build_migrations() {
    const auto book = storage::book_migrations();
    return {
        storage::Migration{1, book[0].what, book[0].sql},
        storage::Migration{2, book[1].what, book[1].sql},
        storage::Migration{3, "devices, enrolment codes, change log, conflicts, review, audit",
                           kV3StoreTables},
        storage::Migration{4, "change log entries a pushing device already holds exactly", kV4Echoes},
        storage::Migration{5, "each consultant's records in id order, for a new tablet's snapshot",
                           kV5ScopeByOwner},
    };
}

}  // namespace

std::span<const storage::Migration> store_migrations() {
    static const std::vector<storage::Migration> migrations = build_migrations();
    return migrations;
}

}  // namespace forecourt::store
