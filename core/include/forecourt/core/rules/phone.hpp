// Phone numbers as the store meets them ("+86 138-0013-8000", "0086 13800138000",
// "(021) 6234 5678"), normalised so the same number always matches.
#pragma once

#include <string>
#include <string_view>

#include "forecourt/core/result.hpp"

namespace forecourt::rules {

// Mainland mobile numbers become their 11 digits ("13800138000"); landlines
// become area code + number with the leading 0 ("02162345678"); other
// international numbers keep "+" and their digits. Separators (spaces, dashes,
// dots, parentheses) are ignored. Anything else is invalid_argument.
Result<std::string> normalize_phone(std::string_view raw);

// Digits only, for partial-number search ("8000" finds 13800138000).
std::string phone_digits(std::string_view raw);

}  // namespace forecourt::rules
