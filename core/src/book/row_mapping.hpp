// Internal: typed records from the JSON rows the record store reads.
#pragma once

#include <nlohmann/json.hpp>

#include "forecourt/core/model/records.hpp"

namespace forecourt::detail {

model::Customer customer_from_row(const nlohmann::json& row);
model::Vehicle vehicle_from_row(const nlohmann::json& row);
model::FollowUp follow_up_from_row(const nlohmann::json& row);

template <typename T>
std::optional<T> opt(const nlohmann::json& row, const char* key) {
    auto it = row.find(key);
    if (it == row.end() || it->is_null()) return std::nullopt;
    return it->get<T>();
}

}  // namespace forecourt::detail
