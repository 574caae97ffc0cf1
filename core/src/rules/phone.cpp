// Phone number normalisation for mainland China numbers, plus other
// international numbers kept in E.164-like form.
#include "forecourt/core/rules/phone.hpp"

#include <cctype>

namespace forecourt::rules {
namespace {

Error bad_phone(std::string_view raw, std::string_view why) {
    return make_error(ErrorCode::invalid_argument,
                      "phone '" + std::string(raw) + "' is not a valid number: " + std::string(why));
}

}  // namespace

std::string phone_digits(std::string_view raw) {
    std::string out;
    for (char c : raw)
        if (c >= '0' && c <= '9') out += c;
    return out;
}

Result<std::string> normalize_phone(std::string_view raw) {
    std::string digits;
    bool plus = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c >= '0' && c <= '9') {
            digits += c;
        } else if (c == '+' && digits.empty() && !plus) {
            plus = true;
        } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') {
            continue;
        } else {
            return bad_phone(raw, "only digits, spaces, dashes, dots, parentheses and a leading + are allowed");
        }
    }
    if (digits.empty()) return bad_phone(raw, "no digits");
    bool international = plus;
    if (!plus && digits.rfind("00", 0) == 0) {
        digits.erase(0, 2);
        international = true;
    }
    if (international) {
        if (digits.rfind("86", 0) != 0) {
            if (digits.size() < 8 || digits.size() > 15)
                return bad_phone(raw, "an international number has 8 to 15 digits");
            return "+" + digits;
        }
        digits.erase(0, 2);
        // Inside China a landline keeps its trunk 0; from abroad it is dropped
        // (though often written anyway: "+86 (0)21 …").
        if (!digits.empty() && digits[0] != '1' && digits[0] != '0') digits.insert(0, "0");
    } else if (digits.size() == 13 && digits.rfind("861", 0) == 0) {
        digits.erase(0, 2);
    }
    if (digits[0] == '1') {
        if (digits.size() != 11) return bad_phone(raw, "a mobile number has 11 digits");
        if (digits[1] < '3' || digits[1] > '9') return bad_phone(raw, "a mobile number starts 13–19");
        return digits;
    }
    if (digits[0] == '0') {
        if (digits.size() < 10 || digits.size() > 12)
            return bad_phone(raw, "a landline has an area code and 7 or 8 digits");
        return digits;
    }
    return bad_phone(raw, "expected a mobile (1xx xxxx xxxx) or a landline with area code (0xx…)");
}

}  // namespace forecourt::rules
