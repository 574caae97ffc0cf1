// Internal: checks of pushed and pulled records against core's record schema.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "forecourt/core/model/record_schema.hpp"
#include "forecourt/platform/result.hpp"
#include "forecourt/sync/protocol.hpp"

namespace forecourt::sync::detail {

Result<const model::TableSpec*> table_named(const std::string& name, const std::string& path);
Status check_record_id(const std::string& id, const std::string& path);
// The field's spec, once `value` is known to fit its declared type. Errors
// name the field as a member of `fields_path` (its path is only built for one).
Result<const model::FieldSpec*> field_named(const model::TableSpec& table, const std::string& name,
                                            const nlohmann::json& value, std::string_view fields_path);
Status check_field_count(const nlohmann::json& fields, const Limits& limits, std::string_view path);

}  // namespace forecourt::sync::detail
