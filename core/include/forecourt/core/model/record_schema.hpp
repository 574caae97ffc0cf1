// The synced tables and their fields: one description used by change capture,
// by sync (applying and validating remote changes) and by the store server.
#pragma once

#include <span>
#include <string_view>

namespace forecourt::model {

enum class FieldType {
    text,        // UTF-8 string
    integer,     // signed 64-bit
    boolean,     // stored as 0/1
    date,        // calendar date "YYYY-MM-DD"
    instant,     // epoch milliseconds, UTC
    text_array,  // JSON array of strings, stored as JSON text
};

struct FieldSpec {
    std::string_view name;
    FieldType type;
    bool required = false;  // must be present when a record is created
};

enum class TableKind {
    mutable_record,  // per-field last-writer-wins
    append_only,     // history: written once, never edited, never in conflict
    reference,       // store reference data: written by the server only
};

struct TableSpec {
    std::string_view name;
    TableKind kind;
    std::span<const FieldSpec> fields;

    const FieldSpec* field(std::string_view field_name) const;
};

// Every synced table, in dependency order (referenced tables first).
std::span<const TableSpec> synced_tables();
const TableSpec* find_table(std::string_view name);

}  // namespace forecourt::model
