// Internal: applying a pulled page to the book, inside the caller's transaction.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>

#include "forecourt/core/book.hpp"
#include "forecourt/sync/protocol.hpp"

namespace forecourt::sync::detail {

// (table, record id) -> fields with an unsynced local edit.
using PendingFields = storage::PendingFieldsByRecord;

// The fields of the page's records that have an unsynced local edit.
Result<PendingFields> pending_fields(Book& book, const PullPage& page);

struct PageOutcome {
    int applied = 0;
    int unchanged = 0;  // echoes of this tablet's own push the book already held as they are
    int kept_local = 0;
    Hlc newest;  // the greatest HLC seen, for the book's clock
};

// Applies every change of the page by the merge rules; the caller commits.
// The page's changes are moved into the book: read the page before.
// A change to one of `pushed` that the book already holds exactly (every
// field at the pulled version, the same owner) is not written again.
Result<PageOutcome> apply_page(storage::Transaction& tx, Book& book, PullPage& page,
                               const std::string& store_id, const PendingFields& pending,
                               const std::set<RecordKey>& pushed = {});

}  // namespace forecourt::sync::detail
