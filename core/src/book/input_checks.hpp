// Internal: checks of what a consultant types, shared by the book's write paths.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "forecourt/core/result.hpp"

namespace forecourt::detail {

// The longest free text (notes, addresses, reasons) a field takes, in bytes.
inline constexpr std::size_t kMaxText = 4000;

// An absent value as JSON null.
template <typename T>
nlohmann::json opt_json(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// Too long, or missing when required: invalid_argument naming the field.
Status check_text(std::string_view what, const std::optional<std::string>& value, bool required = false);
// Not a date YYYY-MM-DD: invalid_argument naming the field. Absent is fine.
Status check_date(std::string_view what, const std::optional<std::string>& value);

}  // namespace forecourt::detail
