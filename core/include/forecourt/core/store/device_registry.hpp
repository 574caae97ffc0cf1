// Enrolled tablets and the one-time codes that enrol them. Tokens and codes are
// kept only as BLAKE2b hashes; a token names its device, so a stolen hash
// table or a token of another device never authenticates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "forecourt/core/storage/transaction.hpp"
#include "forecourt/platform/clock.hpp"

namespace forecourt::store {

// active: syncs normally. revoked: its consultant was deactivated; it may push
// its remaining offline work (kept for review). wiped: it has made that final
// push and is refused from then on.
inline constexpr std::string_view kDeviceActive = "active";
inline constexpr std::string_view kDeviceRevoked = "revoked";
inline constexpr std::string_view kDeviceWiped = "wiped";

struct DeviceRow {
    std::string id;  // the tablet's replica id
    std::string consultant_id;
    std::string name;
    std::string status;
    std::int64_t acked_seq = 0;  // high-water mark of applied changes
    std::int64_t cursor = 0;     // the last cursor it pulled from
    platform::EpochMs enrolled_at = 0;
    std::optional<platform::EpochMs> last_seen_at;
};

struct IssuedCode {
    std::string code;  // "K7QD-MX3P-9TWA": shown to the manager once
    std::string consultant_id;
    platform::EpochMs expires_at = 0;
};

class DeviceRegistry {
public:
    explicit DeviceRegistry(storage::Database& db) : db_(&db) {}

    Result<IssuedCode> issue_code(storage::Transaction& tx, const std::string& consultant_id,
                                  platform::EpochMs now, platform::EpochMs lifetime_ms);
    // Marks the code used by `device_id` and returns its consultant. Unknown,
    // expired and used codes are unauthorized, each with its own message.
    Result<std::string> redeem_code(storage::Transaction& tx, std::string_view code,
                                    const std::string& device_id, platform::EpochMs now);
    // Enrols (or re-enrols, for the same consultant) a device; returns its new
    // bearer token. A replica id enrolled for another consultant is a conflict.
    Result<std::string> enrol(storage::Transaction& tx, const std::string& device_id,
                              const std::string& consultant_id, const std::string& name,
                              platform::EpochMs now);
    // The device a bearer token belongs to; unauthorized otherwise.
    Result<DeviceRow> authenticate(std::string_view token);

    Result<std::optional<DeviceRow>> find(const std::string& id);
    Result<std::vector<DeviceRow>> list();
    // Devices of a consultant (or of everyone) that may still sync.
    Result<std::vector<std::string>> reachable(const std::optional<std::string>& consultant_id);

    Status record_sync(storage::Transaction& tx, const std::string& id, std::int64_t acked_seq,
                       std::int64_t cursor, platform::EpochMs now);
    Status set_status(storage::Transaction& tx, const std::string& id, std::string_view status);
    // Revokes every active device of the consultant; returns their ids.
    Result<std::vector<std::string>> revoke_consultant(storage::Transaction& tx,
                                                       const std::string& consultant_id);

private:
    storage::Database* db_;
};

// Enrolment codes as people type them: case, dashes and spaces do not matter.
std::string normalize_enrolment_code(std::string_view code);

}  // namespace forecourt::store
