// The store's admin listings as tables for people (the admin API's JSON in, text out).
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace forecourt::cli {

void show_consultants(const nlohmann::json& listed);
void show_devices(const nlohmann::json& listed);
void show_conflicts(const nlohmann::json& listed);
// The conflicts table on `out`, times in the given local offset (the demo's store time).
void print_conflicts(std::ostream& out, const nlohmann::json& listed, int utc_offset_minutes);
void show_review(const nlohmann::json& listed);

}  // namespace forecourt::cli
