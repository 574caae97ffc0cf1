// The demo's story: consultant 李娜's day in the field on a fresh, offline book,
// on a manual clock so every run reads the same (apart from record ids).
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "forecourt/core/result.hpp"

namespace forecourt::cli {

// The demo's book is encrypted like a real one, under this passphrase, which
// the demo prints so its kept book can be opened afterwards.
inline constexpr const char* kDemoPassphrase = "forecourt-demo";

// Runs the story on a new book in `home`, narrating it on `out`; with `json`
// nothing is printed and `report` receives the steps, the agenda, the card
// and the outbox summary instead.
Status run_consultant_day(const std::string& home, std::ostream& out, bool json,
                          nlohmann::json& report);

}  // namespace forecourt::cli
