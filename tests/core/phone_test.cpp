// Phone normalisation: every way a consultant types a number maps to one stored
// form, and a malformed number is refused with a message naming it.
#include <doctest/doctest.h>

#include "checks.hpp"
#include "forecourt/core/rules/phone.hpp"

using namespace forecourt;

namespace {

struct Case {
    const char* typed;
    const char* normalised;
};

void check_table(std::initializer_list<Case> cases) {
    for (const auto& c : cases) {
        CAPTURE(c.typed);
        auto phone = rules::normalize_phone(c.typed);
        FC_REQUIRE_OK(phone);
        CHECK(*phone == c.normalised);
    }
}

}  // namespace

TEST_CASE("phone: mainland mobiles in every format become their 11 digits") {
    check_table({
        {"13800138000", "13800138000"},
        {"138 0013 8000", "13800138000"},
        {"138-0013-8000", "13800138000"},
        {"138.0013.8000", "13800138000"},
        {"+86 138 0013 8000", "13800138000"},
        {"+86-138-0013-8000", "13800138000"},
        {"+8613800138000", "13800138000"},
        {"(+86) 138 0013 8000", "13800138000"},
        {"+86 (138) 0013-8000", "13800138000"},
        {"0086 138 0013 8000", "13800138000"},
        {"008613800138000", "13800138000"},
        {"8613800138000", "13800138000"},
        {"86 138 0013 8000", "13800138000"},
        {"  19912345678  ", "19912345678"},
    });
}

TEST_CASE("phone: landlines keep their area code with the trunk 0") {
    check_table({
        {"021-62345678", "02162345678"},
        {"(021) 6234 5678", "02162345678"},
        {"021 6234 5678", "02162345678"},
        {"+86 21 6234 5678", "02162345678"},
        {"+86-21-62345678", "02162345678"},
        {"0086 21 62345678", "02162345678"},
        {"+86 021 6234 5678", "02162345678"},
        {"0755-8888-6666", "075588886666"},
        {"+86 755 8888 6666", "075588886666"},
        {"010-1234567", "0101234567"},
    });
}

TEST_CASE("phone: numbers outside China keep + and their digits") {
    check_table({
        {"+44 20 7946 0958", "+442079460958"},
        {"0044 20 7946 0958", "+442079460958"},
        {"+1 (202) 555-0143", "+12025550143"},
        {"+852 9123 4567", "+85291234567"},
    });
}

TEST_CASE("phone: malformed numbers are invalid_argument naming the number and what is wrong") {
    struct Bad {
        const char* typed;
        const char* why;
    };
    for (const auto& bad : std::initializer_list<Bad>{
             {"138OO138000", "only digits"},
             {"call me", "only digits"},
             {"138 0013 8000 ext 12", "only digits"},
             {"++86 138 0013 8000", "only digits"},
             {"138+0013+8000", "only digits"},
             {"", "no digits"},
             {" - ", "no digits"},
             {"1380013800", "11 digits"},
             {"138001380001", "11 digits"},
             {"12800138000", "starts 13–19"},
             {"11800138000", "starts 13–19"},
             {"021-123456", "area code and 7 or 8 digits"},
             {"021-1234567890", "area code and 7 or 8 digits"},
             {"62345678", "mobile (1xx xxxx xxxx) or a landline"},
             {"+1 555", "8 to 15 digits"},
             {"+1 2025 5501 4312 3456", "8 to 15 digits"},
             {"+86", "mobile (1xx xxxx xxxx) or a landline"},
         }) {
        CAPTURE(bad.typed);
        auto phone = rules::normalize_phone(bad.typed);
        REQUIRE_FALSE(phone.ok());
        CHECK(phone.error().code == ErrorCode::invalid_argument);
        const auto& message = phone.error().message;
        CHECK_MESSAGE(message.find("'" + std::string(bad.typed) + "'") != std::string::npos,
                      message);
        CHECK_MESSAGE(message.find(bad.why) != std::string::npos, message);
    }
}

TEST_CASE("phone: digits for partial search ignore everything but digits") {
    CHECK(rules::phone_digits("+86 (138) 0013-8000") == "8613800138000");
    CHECK(rules::phone_digits("王伟") == "");
}
