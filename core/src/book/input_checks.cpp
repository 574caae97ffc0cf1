// Checks of what a consultant types, shared by the book's write paths.
#include "input_checks.hpp"

#include "forecourt/core/model/date.hpp"

namespace forecourt::detail {

Status check_text(std::string_view what, const std::optional<std::string>& value, bool required) {
    if (required && (!value || value->empty()))
        return make_error(ErrorCode::invalid_argument, std::string(what) + " is required");
    if (value && value->size() > kMaxText)
        return make_error(ErrorCode::invalid_argument,
                          std::string(what) + " is longer than " + std::to_string(kMaxText) + " bytes");
    return ok_status();
}

Status check_date(std::string_view what, const std::optional<std::string>& value) {
    if (value && !model::Date::parse(*value))
        return make_error(ErrorCode::invalid_argument,
                          std::string(what) + " must be a date YYYY-MM-DD (got '" + *value + "')");
    return ok_status();
}

}  // namespace forecourt::detail
