// Error bodies and HTTP statuses; HLCs as 16 hex digits.
#include <charconv>
#include <cstdio>

#include "forecourt/sync/codec.hpp"
#include "json_reader.hpp"

namespace forecourt::sync {

using nlohmann::json;

int http_status(const Error& error) {
    switch (error.code) {
        case ErrorCode::protocol: return 400;
        case ErrorCode::unauthorized: return 401;
        case ErrorCode::forbidden:
        case ErrorCode::revoked: return 403;
        case ErrorCode::not_found: return 404;
        case ErrorCode::conflict:
        case ErrorCode::already_exists:
        case ErrorCode::invalid_state: return 409;
        case ErrorCode::limit_exceeded: return 413;
        case ErrorCode::invalid_argument: return 422;
        default: return 500;
    }
}

std::string encode_error(const Error& error, std::optional<std::int64_t> seq) {
    json body{{"code", to_string(error.code)}, {"message", error.message}};
    if (seq) body["seq"] = *seq;
    return dump_json({{"error", std::move(body)}});
}

namespace {

ErrorCode code_for_status(int status) {
    switch (status) {
        case 400: return ErrorCode::protocol;
        case 401: return ErrorCode::unauthorized;
        case 403: return ErrorCode::forbidden;
        case 404: return ErrorCode::not_found;
        case 409: return ErrorCode::conflict;
        case 413: return ErrorCode::limit_exceeded;
        case 422: return ErrorCode::invalid_argument;
        default: return ErrorCode::internal;
    }
}

std::optional<ErrorCode> code_named(std::string_view name) {
    for (int c = static_cast<int>(ErrorCode::invalid_argument); c <= static_cast<int>(ErrorCode::internal); ++c)
        if (to_string(static_cast<ErrorCode>(c)) == name) return static_cast<ErrorCode>(c);
    return std::nullopt;
}

}  // namespace

Error decode_error(int status, std::string_view body) {
    Error error = make_error(code_for_status(status), "the store server answered " + std::to_string(status),
                             ErrorDomain::sync);
    auto parsed = parse_bounded(body, Limits{}, Limits{}.max_body_bytes);
    if (!parsed.ok()) return error;
    auto e = parsed->find("error");
    if (e == parsed->end() || !e->is_object()) return error;
    detail::Members members(*e, "error");
    if (auto code = members.text("code"); code.ok()) {
        if (auto known = code_named(*code)) error.code = *known;
    }
    if (auto message = members.text("message"); message.ok()) error.message = *message;
    return error;
}

std::optional<std::int64_t> refused_seq(std::string_view body) {
    auto parsed = parse_bounded(body, Limits{}, Limits{}.max_body_bytes);
    if (!parsed.ok()) return std::nullopt;
    auto e = parsed->find("error");
    return e == parsed->end() ? std::nullopt : detail::positive_seq(*e);
}

std::string hlc_to_hex(Hlc hlc) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hlc.packed));
    return std::string(hex, 16);
}

std::optional<Hlc> hlc_from_hex(std::string_view text) {
    if (text.size() != 16) return std::nullopt;
    for (char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    std::uint64_t packed = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + 16, packed, 16);
    if (ec != std::errc{} || end != text.data() + 16) return std::nullopt;
    return Hlc{packed};
}

}  // namespace forecourt::sync
