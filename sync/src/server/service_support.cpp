// Error responses, targets and query strings for the store service.
#include "service_support.hpp"

#include <charconv>

#include "forecourt/sync/codec.hpp"

namespace forecourt::sync::detail {

Response error_response(const Error& error) {
    if (http_status(error) >= 500)
        return Response{500, encode_error(make_error(ErrorCode::internal,
                                                     "the store server failed; retry later",
                                                     ErrorDomain::sync))};
    return Response{http_status(error), encode_error(error)};
}

Response wrong_method(std::string_view allowed, std::string_view target) {
    auto e = make_error(ErrorCode::protocol,
                        quoted_path(target) + " accepts " + std::string(allowed) + " only",
                        ErrorDomain::sync);
    return Response{405, encode_error(e)};
}

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

Result<std::int64_t> query_integer(std::string_view query, std::string_view name,
                                   std::int64_t fallback, std::int64_t min, std::int64_t max) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
        const auto text = pair.substr(eq + 1);
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
            return make_error(ErrorCode::invalid_argument,
                              std::string(name) + " must be an integer from " + std::to_string(min) +
                                  " to " + std::to_string(max),
                              ErrorDomain::sync);
        return value;
    }
    return fallback;
}

std::string quoted_path(std::string_view path) {
    constexpr std::size_t kMax = 80;
    std::string out = "'";
    for (char c : path.substr(0, kMax)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (path.size() > kMax) out += "...";
    return out + "'";
}

std::optional<std::string> deactivate_target(std::string_view admin_path) {
    constexpr std::string_view kPrefix = "consultants/", kSuffix = "/deactivate";
    if (!admin_path.starts_with(kPrefix) || !admin_path.ends_with(kSuffix)) return std::nullopt;
    if (admin_path.size() <= kPrefix.size() + kSuffix.size()) return std::nullopt;
    return std::string(admin_path.substr(kPrefix.size(),
                                         admin_path.size() - kPrefix.size() - kSuffix.size()));
}

bool is_admin_path(std::string_view p) {
    return p == "consultants" || p == "vehicle-models" || p == "enrolment-codes" || p == "handover" ||
           p == "devices" || p == "conflicts" || p == "review" || deactivate_target(p).has_value();
}

}  // namespace forecourt::sync::detail
