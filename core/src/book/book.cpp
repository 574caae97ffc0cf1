// Opening and creating a book; the single write path for synced records.
#include "forecourt/core/book.hpp"

#include <filesystem>

#include "forecourt/core/storage/schema.hpp"
#include "forecourt/core/uuid.hpp"

namespace forecourt {

using nlohmann::json;
using storage::Query;

namespace {

Result<storage::Database> open_database(const BookOptions& options, bool create) {
    storage::OpenOptions o;
    o.path = options.path;
    o.create = create;
    o.vfs = options.vfs;
    o.synchronous = options.synchronous;
    o.reserve_bytes = create ? options.reserve_bytes : 0;
    o.cache_kib = options.cache_kib;
    return storage::Database::open(o);
}

Status put_meta(storage::Database& db, std::string_view key, const std::string& value) {
    FC_ASSIGN(auto q, Query::prepare(db, "INSERT INTO book_meta (key, value) VALUES (?, ?) "
                                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    q->bind(1, key).bind(2, value);
    return q->run();
}

}  // namespace

Book::Book(storage::Database db, const BookOptions& options)
    : vfs_session_(options.vfs_session),
      db_(std::move(db)),
      clock_(options.clock),
      rules_(options.rules),
      hlc_(*options.clock),
      records_(db_),
      capture_(records_, hlc_, "", "") {}

Book::~Book() = default;

Result<std::unique_ptr<Book>> Book::create(const BookOptions& options, const NewBook& who) {
    std::error_code ec;
    if (std::filesystem::exists(options.path, ec))
        return make_error(ErrorCode::already_exists,
                          "a book already exists at " + options.path + "; open it instead");
    if (who.consultant_name.empty())
        return make_error(ErrorCode::invalid_argument, "the consultant's name is required");
    FC_ASSIGN(auto db, open_database(options, true));
    FC_TRY(storage::migrate(db, storage::book_migrations()));
    const auto now = options.clock->now_ms();
    {
        FC_ASSIGN(auto tx, storage::Transaction::begin(db));
        FC_TRY(put_meta(db, "replica_id", new_uuid_v7(now)));
        FC_TRY(put_meta(db, "store_id", who.store_id.empty() ? "local" : who.store_id));
        FC_TRY(put_meta(db, "consultant_id",
                        who.consultant_id.empty() ? new_uuid_v7(now) : who.consultant_id));
        FC_TRY(put_meta(db, "consultant_name", who.consultant_name));
        FC_TRY(put_meta(db, "created_at", std::to_string(now)));
        FC_TRY(tx.commit());
    }
    std::unique_ptr<Book> book(new Book(std::move(db), options));
    FC_TRY(book->load_identity());
    return book;
}

Result<std::unique_ptr<Book>> Book::open(const BookOptions& options) {
    std::error_code ec;
    if (!std::filesystem::exists(options.path, ec))
        return make_error(ErrorCode::not_found,
                          "no book at " + options.path + "; create one first (tablet init)");
    FC_ASSIGN(auto db, open_database(options, false));
    FC_TRY(storage::migrate(db, storage::book_migrations()));
    std::unique_ptr<Book> book(new Book(std::move(db), options));
    FC_TRY(book->load_identity());
    return book;
}

Status Book::load_identity() {
    FC_ASSIGN(auto q, Query::prepare(db_, "SELECT key, value FROM book_meta"));
    std::string hlc_text;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        const std::string key = q->text(0);
        if (key == "replica_id") identity_.replica_id = q->text(1);
        else if (key == "store_id") identity_.store_id = q->text(1);
        else if (key == "consultant_id") identity_.consultant_id = q->text(1);
        else if (key == "consultant_name") identity_.consultant_name = q->text(1);
        else if (key == "hlc") hlc_text = q->text(1);
    }
    if (identity_.replica_id.empty() || identity_.consultant_id.empty())
        return make_error(ErrorCode::corrupt, db_.path() + " is not a Forecourt book (no identity)",
                          ErrorDomain::storage);
    // The replica's clock never runs backwards, even across restarts with a
    // tablet clock that was set back: it starts after every stamp the book
    // holds, the changes still waiting (or set aside) and what was saved
    // when the store acknowledged the others.
    FC_ASSIGN(const auto waiting, storage::query_int64(db_, "SELECT max(coalesce((SELECT max(hlc) FROM outbox), 0), "
                                                             "coalesce((SELECT max(hlc) FROM outbox_refused), 0))"));
    std::uint64_t floor = static_cast<std::uint64_t>(waiting);
    if (!hlc_text.empty()) floor = std::max<std::uint64_t>(floor, std::stoull(hlc_text));
    if (floor > 0) hlc_ = HybridClock(*clock_, Hlc{floor});
    capture_ = storage::ChangeCapture(records_, hlc_, identity_.replica_id, identity_.store_id);
    return ok_status();
}

model::Date Book::today() const { return model::Date::today(*clock_); }

std::string Book::new_id() const { return new_uuid_v7(now()); }

Status Book::write(storage::Transaction& tx, std::string_view table, const std::string& id,
                   const json& fields) {
    const auto* spec = model::find_table(table);
    if (!spec) return make_error(ErrorCode::internal, "unknown table " + std::string(table));
    // The stamp is kept with the change in the outbox (then in book_meta once
    // the store acknowledges it): load_identity starts the clock after it.
    FC_TRY(capture_.write(tx, *spec, id, identity_.consultant_id, fields));
    return ok_status();
}

}  // namespace forecourt
