// Checks of pushed and pulled records against core's record schema.
#include "record_checks.hpp"

#include "forecourt/core/storage/record_store.hpp"
#include "forecourt/core/uuid.hpp"
#include "json_reader.hpp"

namespace forecourt::sync::detail {

using nlohmann::json;

Result<const model::TableSpec*> table_named(const std::string& name, const std::string& path) {
    const auto* spec = model::find_table(name);
    if (!spec) return invalid(path + ": unknown table " + detail::quoted(name));
    return spec;
}

Status check_record_id(const std::string& id, const std::string& path) {
    if (!is_uuid(id)) return invalid(path + " must be a lowercase UUID (got " + detail::quoted(id) + ")");
    return ok_status();
}

Result<const model::FieldSpec*> field_named(const model::TableSpec& table, const std::string& name,
                                            const json& value, std::string_view fields_path) {
    auto path = [&] { return std::string(fields_path) + "." + name; };
    const auto* spec = table.field(name);
    if (!spec)
        return invalid(path() + ": " + std::string(table.name) + " has no field " + detail::quoted(name));
    if (value.is_number_unsigned() && !as_int64(value)) return invalid(path() + " is out of range");
    auto valid = storage::validate_field_value(*spec, value);
    if (!valid.ok()) return invalid(path() + ": " + valid.error().message);
    return spec;
}

Status check_field_count(const json& fields, const Limits& limits, std::string_view path) {
    if (fields.size() > limits.max_fields_per_change)
        return too_large(std::string(path) + " has " + std::to_string(fields.size()) + " fields; at most " +
                         std::to_string(limits.max_fields_per_change) + " are allowed");
    return ok_status();
}

}  // namespace forecourt::sync::detail
