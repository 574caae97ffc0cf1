// Enrolment codes, device tokens and the devices' sync bookkeeping.
#include "forecourt/core/store/device_registry.hpp"

#include <cctype>

#include "forecourt/platform/random.hpp"
#include "secret_hash.hpp"

namespace forecourt::store {

using storage::Query;

namespace {

// Crockford base32: no I, L, O or U, so a code read aloud is not misheard.
constexpr std::string_view kCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr int kCodeLength = 12;

std::string new_code() {
    std::string code;
    for (int i = 0; i < kCodeLength; ++i) {
        if (i > 0 && i % 4 == 0) code += '-';
        code += kCodeAlphabet[platform::random_uniform(static_cast<std::uint32_t>(kCodeAlphabet.size()))];
    }
    return code;
}

Error unauthorized(std::string message) {
    return make_error(ErrorCode::unauthorized, std::move(message), ErrorDomain::sync);
}

constexpr std::string_view kDeviceColumns =
    "id, consultant_id, name, status, acked_seq, cursor, enrolled_at, last_seen_at";

DeviceRow device_from(storage::Statement& st) {
    return DeviceRow{st.text(0), st.text(1), st.text(2), st.text(3),
                     st.int64(4), st.int64(5), st.int64(6), st.opt_int64(7)};
}

}  // namespace

std::string normalize_enrolment_code(std::string_view code) {
    std::string out;
    for (char c : code) {
        if (c == '-' || c == ' ') continue;
        char up = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (up == 'O') up = '0';
        if (up == 'I' || up == 'L') up = '1';
        out += up;
    }
    return out;
}

Result<IssuedCode> DeviceRegistry::issue_code(storage::Transaction& tx, const std::string& consultant_id,
                                              platform::EpochMs now, platform::EpochMs lifetime_ms) {
    (void)tx;
    IssuedCode issued{new_code(), consultant_id, now + lifetime_ms};
    FC_ASSIGN(auto q, Query::prepare(*db_, "INSERT INTO enrolment_codes (code_hash, consultant_id, "
                                           "issued_at, expires_at) VALUES (?, ?, ?, ?)"));
    q->bind(1, detail::hash_secret(normalize_enrolment_code(issued.code)))
        .bind(2, consultant_id)
        .bind(3, now)
        .bind(4, issued.expires_at);
    FC_TRY(q->run());
    return issued;
}

Result<std::string> DeviceRegistry::redeem_code(storage::Transaction& tx, std::string_view code,
                                                const std::string& device_id, platform::EpochMs now) {
    (void)tx;
    const std::string hash = detail::hash_secret(normalize_enrolment_code(code));
    std::string consultant_id;
    {
        FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT consultant_id, expires_at, used_at FROM "
                                               "enrolment_codes WHERE code_hash = ?"));
        q->bind(1, hash);
        FC_ASSIGN(bool row, q->step());
        if (!row)
            return unauthorized("unknown enrolment code; check it, or ask your manager for a new one");
        if (!q->is_null(2))
            return unauthorized("this enrolment code was already used; ask your manager for a new one");
        if (q->int64(1) <= now)
            return unauthorized("this enrolment code has expired (codes last 15 minutes); "
                                "ask your manager for a new one");
        consultant_id = q->text(0);
    }
    FC_ASSIGN(auto use, Query::prepare(*db_, "UPDATE enrolment_codes SET used_at = ?, device_id = ? "
                                             "WHERE code_hash = ?"));
    use->bind(1, now).bind(2, device_id).bind(3, hash);
    FC_TRY(use->run());
    return consultant_id;
}

Result<std::string> DeviceRegistry::enrol(storage::Transaction& tx, const std::string& device_id,
                                          const std::string& consultant_id, const std::string& name,
                                          platform::EpochMs now) {
    (void)tx;
    FC_ASSIGN(auto existing, find(device_id));
    if (existing && existing->consultant_id != consultant_id)
        return make_error(ErrorCode::conflict,
                          "this tablet's book is enrolled for another consultant; "
                          "enrol with a new book",
                          ErrorDomain::sync);
    const std::string secret = detail::new_secret();
    // Re-enrolling keeps the high-water mark and cursor: the book's sequence
    // numbers continue, so changes already applied stay applied once.
    FC_ASSIGN(auto q, Query::prepare(*db_,
        "INSERT INTO devices (id, consultant_id, name, token_hash, status, enrolled_at) "
        "VALUES (?1, ?2, ?3, ?4, 'active', ?5) ON CONFLICT(id) DO UPDATE SET "
        "name = excluded.name, token_hash = excluded.token_hash, status = 'active', "
        "enrolled_at = excluded.enrolled_at"));
    q->bind(1, device_id).bind(2, consultant_id).bind(3, name);
    q->bind(4, detail::hash_secret(secret)).bind(5, now);
    FC_TRY(q->run());
    return device_id + "." + secret;
}

Result<DeviceRow> DeviceRegistry::authenticate(std::string_view token) {
    const auto dot = token.find('.');
    if (dot == std::string_view::npos || dot == 0)
        return unauthorized("a device token is required (Authorization: Bearer <token>)");
    const std::string id(token.substr(0, dot));
    std::string stored_hash;
    {
        FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT token_hash FROM devices WHERE id = ?"));
        q->bind(1, id);
        FC_ASSIGN(bool row, q->step());
        if (row) stored_hash = q->text(0);
    }
    // Hash even for an unknown device, so timing does not tell which ids exist.
    const bool match = detail::same_hash(detail::hash_secret(token.substr(dot + 1)), stored_hash);
    if (!match || stored_hash.empty())
        return unauthorized("the device token is not valid; enrol the tablet again");
    FC_ASSIGN(auto device, find(id));
    if (!device) return unauthorized("the device token is not valid; enrol the tablet again");
    if (device->status == kDeviceWiped)
        return make_error(ErrorCode::revoked,
                          "this tablet's access was revoked; its book must be wiped",
                          ErrorDomain::sync);
    return std::move(*device);
}

Result<std::optional<DeviceRow>> DeviceRegistry::find(const std::string& id) {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT " + std::string(kDeviceColumns) +
                                               " FROM devices WHERE id = ?"));
    q->bind(1, id);
    FC_ASSIGN(bool row, q->step());
    if (!row) return std::optional<DeviceRow>{};
    return std::optional<DeviceRow>{device_from(*q)};
}

Result<std::vector<DeviceRow>> DeviceRegistry::list() {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT " + std::string(kDeviceColumns) +
                                               " FROM devices ORDER BY enrolled_at, id"));
    std::vector<DeviceRow> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        out.push_back(device_from(*q));
    }
    return out;
}

Result<std::vector<std::string>> DeviceRegistry::reachable(
    const std::optional<std::string>& consultant_id) {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT id FROM devices WHERE status != 'wiped' AND "
                                           "(?1 IS NULL OR consultant_id = ?1) ORDER BY id"));
    q->bind(1, consultant_id);
    std::vector<std::string> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        out.push_back(q->text(0));
    }
    return out;
}

Status DeviceRegistry::record_sync(storage::Transaction& tx, const std::string& id,
                                   std::int64_t acked_seq, std::int64_t cursor,
                                   platform::EpochMs now) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_, "UPDATE devices SET acked_seq = max(acked_seq, ?), "
                                           "cursor = ?, last_seen_at = ? WHERE id = ?"));
    q->bind(1, acked_seq).bind(2, cursor).bind(3, now).bind(4, id);
    return q->run();
}

Status DeviceRegistry::set_status(storage::Transaction& tx, const std::string& id,
                                  std::string_view status) {
    (void)tx;
    FC_ASSIGN(auto q, Query::prepare(*db_, "UPDATE devices SET status = ? WHERE id = ?"));
    q->bind(1, status).bind(2, id);
    return q->run();
}

Result<std::vector<std::string>> DeviceRegistry::revoke_consultant(storage::Transaction& tx,
                                                                   const std::string& consultant_id) {
    (void)tx;
    std::vector<std::string> ids;
    {
        FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT id FROM devices WHERE consultant_id = ? "
                                               "AND status = 'active' ORDER BY id"));
        q->bind(1, consultant_id);
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            ids.push_back(q->text(0));
        }
    }
    for (const auto& id : ids) FC_TRY(set_status(tx, id, kDeviceRevoked));
    return ids;
}

}  // namespace forecourt::store
