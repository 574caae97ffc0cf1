// What the store keeps for the manager: the conflicts log (every value that
// lost a concurrent edit), the review queue (pushed changes that need a
// manager's eye) and the audit log (who did what, without customer data).
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

struct ConflictRow {
    std::int64_t id = 0;  // assigned when logged
    platform::EpochMs at = 0;
    std::string table;
    std::string record_id;
    std::string field;
    std::string owner_id;  // the record's owner: the manager and consultants see it
    nlohmann::json winner_value;
    Version winner_version;
    nlohmann::json loser_value;
    Version loser_version;
    std::string device_id;  // the device whose push met the concurrent edit
    std::int64_t seq = 0;   // that push's change
};

struct ReviewRow {
    std::int64_t id = 0;
    platform::EpochMs at = 0;
    std::string device_id;
    std::string consultant_id;
    std::string reason;  // why it needs review, in words a manager understands
    std::string table;
    std::string record_id;
    bool applied = false;   // applied to the record, or only kept here
    nlohmann::json change;  // the change as pushed
};

struct AuditRow {
    std::int64_t id = 0;
    platform::EpochMs at = 0;
    std::string actor;   // "admin", "device:<id>", "store"
    std::string action;  // e.g. "restamp", "enrol", "consultant.deactivate"
    nlohmann::json detail;
};

class StoreJournal {
public:
    explicit StoreJournal(storage::Database& db) : db_(&db) {}

    Result<std::int64_t> add_conflict(storage::Transaction& tx, const ConflictRow& row);
    Result<std::int64_t> add_review(storage::Transaction& tx, const ReviewRow& row);
    Result<std::int64_t> audit(storage::Transaction& tx, platform::EpochMs at,
                               std::string_view actor, std::string_view action,
                               const nlohmann::json& detail);

    // Oldest first, after the given id.
    Result<std::vector<ConflictRow>> conflicts(std::int64_t after, int limit);
    Result<std::vector<ReviewRow>> review(std::int64_t after, int limit);
    Result<std::vector<AuditRow>> audit_entries(std::int64_t after, int limit,
                                                std::optional<std::string_view> action = {});

private:
    storage::Database* db_;
};

}  // namespace forecourt::store
