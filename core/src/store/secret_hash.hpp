// Internal: hashing and comparing the store's secrets (tokens, enrolment codes).
// Only hashes are stored, so a copy of the database authenticates nobody.
#pragma once

#include <string>
#include <string_view>

namespace forecourt::store::detail {

// BLAKE2b-256 of the secret, as 64 lowercase hex digits.
std::string hash_secret(std::string_view secret);
// Constant-time: how long it takes says nothing about where the hashes differ.
bool same_hash(std::string_view a, std::string_view b);
// 256 random bits as 64 lowercase hex digits.
std::string new_secret();

}  // namespace forecourt::store::detail
