// One error vocabulary for the whole product (platform, core, sync and the C ABI):
// an Error has a domain, a code and a message that says what to fix.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace forecourt {

enum class ErrorDomain { core, storage, crypto, sync, platform };

enum class ErrorCode {
    invalid_argument = 1,  // the caller's input is malformed (bad grade, bad phone, ...)
    not_found,             // an id that names nothing
    already_exists,
    invalid_state,         // the operation does not apply to the record's state
    storage,               // SQLite failed (disk full, I/O error, locked)
    corrupt,               // a file is damaged or not what it claims to be
    schema_too_new,        // the book was written by a newer Forecourt
    wrong_key,             // wrong passphrase or key
    tampered,              // authentication of stored data failed
    unauthorized,
    forbidden,
    revoked,
    conflict,
    limit_exceeded,
    offline,
    protocol,
    internal,
};

std::string_view to_string(ErrorDomain domain);
std::string_view to_string(ErrorCode code);

struct Error {
    ErrorDomain domain = ErrorDomain::core;
    ErrorCode code = ErrorCode::internal;
    std::string message;

    // "core/invalid_argument: grade must be one of O, H, A, B, C (got 'X')"
    std::string describe() const;
};

inline Error make_error(ErrorCode code, std::string message,
                        ErrorDomain domain = ErrorDomain::core) {
    return Error{domain, code, std::move(message)};
}

// A value or an Error. Accessing the wrong alternative is a programming error.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(v_); }
    const T& value() const& { assert(ok()); return std::get<0>(v_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { assert(!ok()); return std::get<1>(v_); }
    Error&& take_error() { assert(!ok()); return std::get<1>(std::move(v_)); }

private:
    std::variant<T, Error> v_;
};

// Success without a value.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace forecourt

// Propagates an Error from a Result-returning expression: FC_TRY(stmt.step());
#define FC_TRY(expr)                                            \
    do {                                                        \
        auto&& fc_try_result_ = (expr);                         \
        if (!fc_try_result_.ok()) return fc_try_result_.take_error(); \
    } while (false)

#define FC_CONCAT_INNER(a, b) a##b
#define FC_CONCAT(a, b) FC_CONCAT_INNER(a, b)
// Binds the value of a Result-returning expression or propagates its Error:
// FC_ASSIGN(auto customer, book.customer(id));
#define FC_ASSIGN(decl, expr) FC_ASSIGN_IMPL(FC_CONCAT(fc_assign_, __LINE__), decl, expr)
#define FC_ASSIGN_IMPL(tmp, decl, expr)          \
    auto tmp = (expr);                           \
    if (!tmp.ok()) return tmp.take_error();      \
    decl = std::move(tmp).value()
