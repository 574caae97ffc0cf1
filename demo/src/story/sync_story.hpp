// The demo's second part: the store server goes live on 127.0.0.1, 李娜's
// tablet and phone and 张伟's tablet enrol; one customer is edited offline on
// two devices, they sync, converge, and the manager sees the conflict.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "forecourt/core/result.hpp"

namespace forecourt::cli {

// Runs on 李娜's book in `home` (left there by run_consultant_day); the store
// server's home and the other devices' homes are made inside `home`. With
// `json` nothing is printed: `report["sync"]` receives the devices, both
// cards and the conflicts log, and the steps are appended to `report["steps"]`.
Status run_sync_story(const std::string& home, std::ostream& out, bool json,
                      nlohmann::json& report);

}  // namespace forecourt::cli
