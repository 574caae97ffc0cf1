// Names of error domains and codes, as they appear in messages and JSON.
#include "forecourt/platform/result.hpp"

namespace forecourt {

std::string_view to_string(ErrorDomain domain) {
    switch (domain) {
        case ErrorDomain::core: return "core";
        case ErrorDomain::storage: return "storage";
        case ErrorDomain::crypto: return "crypto";
        case ErrorDomain::sync: return "sync";
        case ErrorDomain::platform: return "platform";
    }
    return "unknown";
}

std::string_view to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::invalid_argument: return "invalid_argument";
        case ErrorCode::not_found: return "not_found";
        case ErrorCode::already_exists: return "already_exists";
        case ErrorCode::invalid_state: return "invalid_state";
        case ErrorCode::storage: return "storage";
        case ErrorCode::corrupt: return "corrupt";
        case ErrorCode::schema_too_new: return "schema_too_new";
        case ErrorCode::wrong_key: return "wrong_key";
        case ErrorCode::tampered: return "tampered";
        case ErrorCode::unauthorized: return "unauthorized";
        case ErrorCode::forbidden: return "forbidden";
        case ErrorCode::revoked: return "revoked";
        case ErrorCode::conflict: return "conflict";
        case ErrorCode::limit_exceeded: return "limit_exceeded";
        case ErrorCode::offline: return "offline";
        case ErrorCode::protocol: return "protocol";
        case ErrorCode::internal: return "internal";
    }
    return "unknown";
}

std::string Error::describe() const {
    std::string out(to_string(domain));
    out += '/';
    out += to_string(code);
    out += ": ";
    out += message;
    return out;
}

}  // namespace forecourt
