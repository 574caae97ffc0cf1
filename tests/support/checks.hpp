// Assertions on Results shared by the test suites: an operation succeeded (and
// if not, why), or failed with a given code and a message naming what to fix.
#pragma once

#include <string>

#include <doctest/doctest.h>

#include "forecourt/core/result.hpp"

namespace doctest {
template <>
struct StringMaker<forecourt::ErrorCode> {
    static String convert(forecourt::ErrorCode code) {
        return String(std::string(forecourt::to_string(code)).c_str());
    }
};
}  // namespace doctest

namespace forecourt::testing {

template <typename T>
std::string why_failed(const Result<T>& result) {
    return result.ok() ? std::string() : result.error().describe();
}

}  // namespace forecourt::testing

#define FC_REQUIRE_OK(result) \
    REQUIRE_MESSAGE((result).ok(), ::forecourt::testing::why_failed(result))
#define FC_CHECK_OK(result) CHECK_MESSAGE((result).ok(), ::forecourt::testing::why_failed(result))

// `expr` fails with `expected_code` and a message that contains `needle`.
#define FC_CHECK_FAILS(expr, expected_code, needle)                                                \
    do {                                                                                           \
        const auto fc_failed_ = (expr);                                                            \
        REQUIRE_MESSAGE(!fc_failed_.ok(), #expr " succeeded but should have failed");              \
        CHECK(fc_failed_.error().code == (expected_code));                                         \
        CHECK_MESSAGE(                                                                             \
            fc_failed_.error().message.find(needle) != std::string::npos,                          \
            "message '" << fc_failed_.error().message << "' should mention '" << (needle) << "'"); \
    } while (false)
