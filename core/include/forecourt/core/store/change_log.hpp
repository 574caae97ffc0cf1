// The store's change log: every accepted change gets a server sequence number,
// and devices pull the entries in their scope from a cursor. An entry carries
// the resulting state of the fields it touched, so replaying the log in order
// converges on the server's records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/hlc.hpp"
#include "forecourt/core/storage/transaction.hpp"
#include "forecourt/platform/clock.hpp"

namespace forecourt::store {

inline constexpr std::string_view kOpUpsert = "upsert";
inline constexpr std::string_view kOpPurge = "purge";

// One field's state after the change: its value and the version that wrote it.
struct LoggedField {
    std::string field;
    nlohmann::json value;
    Version version;
};

struct LogEntry {
    std::int64_t seq = 0;  // assigned by append
    platform::EpochMs at = 0;
    std::string op;  // kOpUpsert or kOpPurge
    std::string table;
    std::string record_id;
    // Whose devices see it: the record's owner (for a purge, its previous
    // owner), or nullopt for reference data, which every device sees.
    std::optional<std::string> audience;
    std::vector<LoggedField> fields;
    std::optional<std::string> origin_device;  // the pushing device, if any
    std::int64_t origin_seq = 0;
    // The origin device already holds this state exactly (its own write, taken
    // as sent, with nothing before it that it has not pulled): it is not sent
    // back to that device. Every other device pulls it.
    bool echo = false;
};

// Whose entries a pull reads: the store-wide ones and the consultant's, less
// the echoes of the pulling device.
struct LogReader {
    std::string consultant_id;
    std::string device_id;
};

// An entry as a pull sends it: its fields are the JSON text of the wire's
// members {"fields": {...}, "version": "...", "versions": {...}} (empty for a
// purge), as stored.
struct WireEntry {
    std::int64_t seq = 0;
    std::string op;
    std::string table;
    std::string record_id;
    std::optional<std::string> audience;
    std::string fields;
};

template <typename Entry>
struct BasicLogPage {
    std::vector<Entry> entries;
    std::int64_t cursor = 0;  // pass back to continue
    bool more = false;
};
using LogPage = BasicLogPage<LogEntry>;
using WirePage = BasicLogPage<WireEntry>;

class ChangeLog {
public:
    explicit ChangeLog(storage::Database& db) : db_(&db) {}

    Result<std::int64_t> append(storage::Transaction& tx, const LogEntry& entry);
    // Entries after `cursor` the reader pulls, oldest first, at most `limit`
    // entries and about `max_bytes` of fields (always at least one).
    Result<LogPage> page(std::int64_t cursor, const LogReader& reader, int limit, std::size_t max_bytes);
    // The same page with each entry's fields as stored, ready to send.
    Result<WirePage> wire_page(std::int64_t cursor, const LogReader& reader, int limit, std::size_t max_bytes);
    // How many entries the reader would pull after `cursor`.
    Result<std::int64_t> count_after(std::int64_t cursor, const LogReader& reader);
    // Whether the reader has any entry to pull after `cursor`.
    Result<bool> any_after(std::int64_t cursor, const LogReader& reader);
    // The newest sequence number (0 when empty).
    Result<std::int64_t> head();
    // Every entry a device's pushes produced, oldest first (for review and tests).
    Result<std::vector<LogEntry>> by_origin(const std::string& device_id);

private:
    storage::Database* db_;
};

}  // namespace forecourt::store
