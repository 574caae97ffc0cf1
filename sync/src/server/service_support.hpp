// Internal: small helpers of the store service — error responses, targets and
// query strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "forecourt/platform/result.hpp"
#include "forecourt/sync/exchange.hpp"

namespace forecourt::sync::detail {

// The response for an Error; failures of the server itself say only "retry
// later" (their details name files and are no business of the client's).
Response error_response(const Error& error);
// 405 with the method the target accepts.
Response wrong_method(std::string_view allowed, std::string_view target);

// "/v1/admin/conflicts?after=3" -> {"/v1/admin/conflicts", "after=3"}
std::pair<std::string_view, std::string_view> split_target(std::string_view target);
// An integer query parameter, `fallback` when absent; bad values are errors.
Result<std::int64_t> query_integer(std::string_view query, std::string_view name,
                                   std::int64_t fallback, std::int64_t min, std::int64_t max);
std::string quoted_path(std::string_view path);
// "consultants/<id>/deactivate" -> id
std::optional<std::string> deactivate_target(std::string_view admin_path);
bool is_admin_path(std::string_view admin_path);

}  // namespace forecourt::sync::detail
