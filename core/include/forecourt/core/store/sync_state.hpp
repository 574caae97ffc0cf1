// The tablet's sync state, kept in its book: the store server it is enrolled
// with, its device credentials, the pull cursor and when it last synced. The
// cursor is written in the same transaction as the page it follows, so an
// interrupted pull resumes where it stopped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "forecourt/core/book.hpp"
#include "forecourt/core/store/scope_snapshot.hpp"
#include "forecourt/core/storage/transaction.hpp"

namespace forecourt::store {

inline constexpr std::string_view kSyncUnenrolled = "unenrolled";
inline constexpr std::string_view kSyncEnrolled = "enrolled";
inline constexpr std::string_view kSyncRevoked = "revoked";  // the book must be wiped

struct SyncState {
    std::string status{kSyncUnenrolled};
    std::string server_url;
    std::string server_pin;  // the store certificate's fingerprint, pinned at enrolment
    std::string device_id;
    std::string device_name;
    std::string token;
    std::string store_id;
    std::int64_t cursor = 0;
    // A first pull's snapshot under way: where its next page starts. The
    // cursor stays 0 until it ends, and then becomes its head.
    std::optional<SnapshotPosition> snapshot;
    std::optional<platform::EpochMs> enrolled_at;
    std::optional<platform::EpochMs> last_sync_at;
    std::optional<std::string> last_error;

    bool enrolled() const { return status == kSyncEnrolled; }
};

// What the store server answered to an enrolment.
struct Enrolment {
    std::string server_url;
    std::string server_pin;
    std::string device_id;
    std::string device_name;
    std::string token;
    std::string store_id;
    std::string consultant_id;
    std::string consultant_name;
    platform::EpochMs at = 0;
};

class SyncStateStore {
public:
    explicit SyncStateStore(storage::Database& db) : db_(&db) {}

    Result<SyncState> load();
    // Saves the credentials and makes the book the store's: its store id and
    // consultant become the server's, and records written before enrolment
    // are re-labelled to match. `book` (whose database this store writes)
    // keeps its old identity in memory until it is reopened: reopen it.
    Status save_enrolment(storage::Transaction& tx, Book& book, const Enrolment& enrolment);
    Status set_cursor(storage::Transaction& tx, std::int64_t cursor);
    // Where the snapshot under way continues; nullopt: none is.
    Status set_snapshot(storage::Transaction& tx, const std::optional<SnapshotPosition>& position);
    Status set_status(storage::Transaction& tx, std::string_view status);
    // Records the end of a sync round: its time, and its error if it failed.
    Status record_sync(storage::Transaction& tx, platform::EpochMs at,
                       const std::optional<std::string>& error);
    // Moves the book's persisted HLC forward to `hlc` (never backwards), so
    // stamps the tablet saw from the server are not undercut after a restart.
    Status save_clock(storage::Transaction& tx, Hlc hlc);

private:
    Status put_meta(std::string_view key, const std::string& value);
    Result<std::optional<SnapshotPosition>> load_snapshot();
    storage::Database* db_;
};

}  // namespace forecourt::store
