// Migrations of the tablet's book. Never edit a released migration: add one.
#include "forecourt/core/storage/schema.hpp"

#include <array>
#include <string>

#include "forecourt/core/storage/transaction.hpp"

namespace forecourt::storage {
namespace {

// v1: the consultant's book. Every synced table carries id, store_id,
// owner_id and versions (JSON: field -> "hlc@replica").
constexpr std::string_view kV1Records = R"sql(
CREATE TABLE book_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE consultants (
  id TEXT PRIMARY KEY, store_id TEXT NOT NULL, owner_id TEXT, versions TEXT NOT NULL DEFAULT '{}',
  name TEXT, phone TEXT, role TEXT, active INTEGER) WITHOUT ROWID;
CREATE TABLE vehicle_models (
  id TEXT PRIMARY KEY, store_id TEXT NOT NULL, owner_id TEXT, versions TEXT NOT NULL DEFAULT '{}',
  name TEXT, brand TEXT, series TEXT, price INTEGER) WITHOUT ROWID;
CREATE TABLE customers (
  id TEXT PRIMARY KEY, store_id TEXT NOT NULL, owner_id TEXT NOT NULL,
  versions TEXT NOT NULL DEFAULT '{}',
  kind TEXT, name TEXT, phones TEXT, grade TEXT, status TEXT, loss_reason TEXT, loss_note TEXT,
  source TEXT, budget INTEGER, payment_method TEXT, trade_in TEXT, models_of_interest TEXT,
  birthday TEXT, company TEXT, address TEXT, household_notes TEXT, next_visit TEXT,
  created_at INTEGER, closed_at INTEGER);
CREATE TABLE vehicles (
  id TEXT PRIMARY KEY, store_id TEXT NOT NULL, owner_id TEXT NOT NULL,
  versions TEXT NOT NULL DEFAULT '{}',
  customer_id TEXT, model TEXT, vin TEXT, plate TEXT, colour TEXT, purchase_date TEXT,
  delivery_date TEXT, mileage INTEGER, insurance_expiry TEXT, next_maintenance TEXT);
CREATE TABLE events (
  id TEXT PRIMARY KEY, store_id TEXT NOT NULL, owner_id TEXT NOT NULL,
  versions TEXT NOT NULL DEFAULT '{}',
  name TEXT, kind TEXT, date TEXT, location TEXT, models TEXT, notes TEXT);
CREATE TABLE follow_ups (
  id TEXT PRIMARY KEY, store_id TEXT NOT NULL, owner_id TEXT NOT NULL,
  versions TEXT NOT NULL DEFAULT '{}',
  customer_id TEXT, consultant_id TEXT, due TEXT, kind TEXT, purpose TEXT, notes TEXT,
  status TEXT, closed_at INTEGER, contact_id TEXT, cancel_reason TEXT);
CREATE TABLE contacts (
  id TEXT PRIMARY KEY, store_id TEXT NOT NULL, owner_id TEXT NOT NULL,
  versions TEXT NOT NULL DEFAULT '{}',
  customer_id TEXT, consultant_id TEXT, at INTEGER, kind TEXT, purpose TEXT, outcome TEXT,
  notes TEXT, grade_after TEXT, next_contact TEXT);
CREATE TABLE test_drives (
  id TEXT PRIMARY KEY, store_id TEXT NOT NULL, owner_id TEXT NOT NULL,
  versions TEXT NOT NULL DEFAULT '{}',
  customer_id TEXT, consultant_id TEXT, event_id TEXT, model TEXT, licence_checked INTEGER,
  started_at INTEGER, ended_at INTEGER, route TEXT, feedback TEXT, interest INTEGER);
CREATE TABLE grade_changes (
  id TEXT PRIMARY KEY, store_id TEXT NOT NULL, owner_id TEXT NOT NULL,
  versions TEXT NOT NULL DEFAULT '{}',
  customer_id TEXT, consultant_id TEXT, at INTEGER, from_grade TEXT, to_grade TEXT, reason TEXT);
)sql";

// v2: what the consultant's screens query: search by name and phone, a
// customer's history, the agenda. customer_phones is derived from
// customers.phones and maintained by the record store; it is filled here
// from the customers a v1 book already holds, so they stay findable by phone.
constexpr std::string_view kV2Indexes = R"sql(
CREATE TABLE customer_phones (
  phone TEXT NOT NULL, customer_id TEXT NOT NULL, PRIMARY KEY (phone, customer_id)) WITHOUT ROWID;
INSERT OR IGNORE INTO customer_phones (phone, customer_id)
  SELECT p.value, c.id
  FROM customers c, json_each(CASE WHEN json_valid(c.phones) THEN c.phones ELSE '[]' END) p
  WHERE p.type = 'text';
CREATE INDEX customer_phones_by_customer ON customer_phones(customer_id);
CREATE INDEX customers_by_name ON customers(name);
CREATE INDEX customers_by_status_grade ON customers(status, grade);
CREATE INDEX vehicles_by_customer ON vehicles(customer_id);
CREATE INDEX contacts_by_customer ON contacts(customer_id, at);
CREATE INDEX follow_ups_by_customer ON follow_ups(customer_id, due);
CREATE INDEX follow_ups_open_by_due ON follow_ups(due) WHERE status = 'open';
CREATE INDEX test_drives_by_customer ON test_drives(customer_id, started_at);
CREATE INDEX grade_changes_by_customer ON grade_changes(customer_id, at);
)sql";

// v3: change capture. Every local write appends one outbox row (all the
// fields it set, one HLC) in the same transaction; rows leave only when the
// store server has acknowledged them. AUTOINCREMENT: a sequence number is
// never reused, even after the outbox drains, so (replica, seq) names a change
// for ever.
constexpr std::string_view kV3Outbox = R"sql(
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL,
  record_id TEXT NOT NULL,
  hlc INTEGER NOT NULL,
  fields TEXT NOT NULL);
)sql";

// v4: the tablet's sync state, one row: how to reach and authenticate to the
// store server (the book file is encrypted at rest, so the token is too), the
// pull cursor (committed with each applied page, so a pull resumes where it
// stopped) and when the last sync ran.
constexpr std::string_view kV4SyncState = R"sql(
CREATE TABLE sync_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  status TEXT NOT NULL DEFAULT 'unenrolled' CHECK (status IN ('unenrolled', 'enrolled', 'revoked')),
  server_url TEXT, server_pin TEXT, device_id TEXT, device_name TEXT, token TEXT, store_id TEXT,
  cursor INTEGER NOT NULL DEFAULT 0, enrolled_at INTEGER, last_sync_at INTEGER, last_error TEXT);
INSERT INTO sync_state (id) VALUES (1);
)sql";

// v5: "is a follow-up planned for this customer?" — asked by the agenda for
// every open prospect — answered from an index alone; through
// follow_ups_by_customer it read every follow-up row the customer ever had.
constexpr std::string_view kV5OpenFollowUps = R"sql(
CREATE INDEX follow_ups_open_by_customer ON follow_ups(customer_id) WHERE status = 'open';
)sql";

// v6: the agenda walks every customer in id order, merging in each one's
// last contact, open follow-ups and vehicles, read in the same order. A
// customer row carries the record's field versions and long notes (about
// 1.4 KB), so reading the tables drags ten times more pages through the cache
// than the agenda needs; these covering indexes hold just its columns. The
// partial index of open follow-ups carries `status` too: SQLite reads the row
// to test a partial index's own condition unless the index holds the column.
constexpr std::string_view kV6AgendaIndexes = R"sql(
CREATE INDEX customers_for_agenda ON customers(id, status, kind, grade, next_visit, birthday, created_at, name, phones);
DROP INDEX follow_ups_open_by_customer;
CREATE INDEX follow_ups_open_by_customer ON follow_ups(customer_id, due, kind, purpose, id, status) WHERE status = 'open';
DROP INDEX vehicles_by_customer;
CREATE INDEX vehicles_for_agenda ON vehicles(customer_id, next_maintenance, insurance_expiry, delivery_date, model);
)sql";

// v7: applying a pulled page asks, for each record in it, which of its fields
// have an unsynced local edit; the outbox is large right after a long offline
// stretch or before a first push, and was read whole for every page.
constexpr std::string_view kV7OutboxByRecord = R"sql(
CREATE INDEX outbox_by_record ON outbox(tbl, record_id);
)sql";

// v8: changes the store refused for their content (a 422 naming the change,
// say a field this store's version does not know yet). Such a change leaves
// the outbox so the ones after it can sync, and is kept here whole, with the
// store's reason, never dropped.
constexpr std::string_view kV8RefusedChanges = R"sql(
CREATE TABLE outbox_refused (
  seq INTEGER PRIMARY KEY,
  tbl TEXT NOT NULL,
  record_id TEXT NOT NULL,
  hlc INTEGER NOT NULL,
  fields TEXT NOT NULL,
  reason TEXT NOT NULL,
  refused_at INTEGER NOT NULL);
)sql";

// v9: recording a contact, the commonest write, touched seven pages (each
// sealed apart in an encrypted book): the contact, its id index, its
// customer index, the outbox, its record index, `sqlite_sequence` and, now
// and then, a parent page. Contacts are keyed by their id alone (WITHOUT
// ROWID: no separate id index), and the outbox numbers its changes without
// AUTOINCREMENT: a change takes one more than the larger of the outbox's
// newest seq and `book_meta.outbox_seq`, which the trigger raises whenever
// the newest row leaves (acknowledged or refused), so a seq is still never
// reused, even after the outbox drains.
constexpr std::string_view kV9FewerPagesPerContact = R"sql(
CREATE TABLE contacts_v9 (
  id TEXT PRIMARY KEY, store_id TEXT NOT NULL, owner_id TEXT NOT NULL,
  versions TEXT NOT NULL DEFAULT '{}',
  customer_id TEXT, consultant_id TEXT, at INTEGER, kind TEXT, purpose TEXT, outcome TEXT,
  notes TEXT, grade_after TEXT, next_contact TEXT) WITHOUT ROWID;
INSERT INTO contacts_v9 (id, store_id, owner_id, versions, customer_id, consultant_id, at, kind,
                         purpose, outcome, notes, grade_after, next_contact)
  SELECT id, store_id, owner_id, versions, customer_id, consultant_id, at, kind,
         purpose, outcome, notes, grade_after, next_contact FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_v9 RENAME TO contacts;
CREATE INDEX contacts_by_customer ON contacts(customer_id, at);

INSERT INTO book_meta (key, value)
  SELECT 'outbox_seq', CAST(max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
                                coalesce((SELECT max(seq) FROM outbox), 0),
                                coalesce((SELECT max(seq) FROM outbox_refused), 0)) AS TEXT);
CREATE TABLE outbox_v9 (
  seq INTEGER PRIMARY KEY,
  tbl TEXT NOT NULL,
  record_id TEXT NOT NULL,
  hlc INTEGER NOT NULL,
  fields TEXT NOT NULL);
INSERT INTO outbox_v9 (seq, tbl, record_id, hlc, fields)
  SELECT seq, tbl, record_id, hlc, fields FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v9 RENAME TO outbox;
CREATE INDEX outbox_by_record ON outbox(tbl, record_id);
CREATE TRIGGER outbox_keeps_last_seq AFTER DELETE ON outbox
  WHEN OLD.seq > coalesce((SELECT max(seq) FROM outbox), 0)
BEGIN
  UPDATE book_meta SET value = CAST(OLD.seq AS TEXT)
    WHERE key = 'outbox_seq' AND CAST(value AS INTEGER) < OLD.seq;
END;
)sql";

// v10: the outbox without its record index (v7). Every local write paid a
// page for it; it served only the application of a pulled page while changes
// wait, which now finds the page's records in one pass over the outbox
// (ChangeCapture::pending_fields), reading two short columns per row.
constexpr std::string_view kV10OutboxWithoutRecordIndex = R"sql(
DROP INDEX outbox_by_record;
)sql";

constexpr std::array kBookMigrations{
    Migration{1, "customers, vehicles, contacts, follow-ups, test drives, events, grade history", kV1Records},
    Migration{2, "search and agenda indexes", kV2Indexes},
    Migration{3, "outbox for change capture", kV3Outbox},
    Migration{4, "sync state: server, credentials, cursor", kV4SyncState},
    Migration{5, "open follow-ups by customer, for the agenda", kV5OpenFollowUps},
    Migration{6, "covering indexes for the agenda", kV6AgendaIndexes},
    Migration{7, "outbox by record, for applying pulled pages", kV7OutboxByRecord},
    Migration{8, "changes the store refused, kept", kV8RefusedChanges},
    Migration{9, "fewer pages written per contact: contacts keyed by id, outbox seq without AUTOINCREMENT",
              kV9FewerPagesPerContact},
    Migration{10, "one page fewer per local write: the outbox without its record index",
              kV10OutboxWithoutRecordIndex},
};

}  // namespace

std::span<const Migration> book_migrations() { return kBookMigrations; }

Status migrate(Database& db, std::span<const Migration> migrations, int target) {
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    if (target < 0) target = latest;
    FC_ASSIGN(int current, db.user_version());
    if (current > latest) {
        return make_error(ErrorCode::schema_too_new,
                          db.path() + " has schema version " + std::to_string(current) +
                              " but this Forecourt knows only up to " + std::to_string(latest) +
                              "; upgrade Forecourt to open it",
                          ErrorDomain::storage);
    }
    for (const auto& m : migrations) {
        if (m.version <= current || m.version > target) continue;
        FC_ASSIGN(auto tx, Transaction::begin(db));
        FC_TRY(db.exec(m.sql));
        FC_TRY(db.set_user_version(m.version));
        FC_TRY(tx.commit());
    }
    return ok_status();
}

}  // namespace forecourt::storage
