// Generic reads and writes of synced records, field by field, with each
// field's version. The one writer of the synced tables: local change capture
// and sync both go through it, so derived data (the phone index) stays right.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/hlc.hpp"
#include "forecourt/core/model/record_schema.hpp"
#include "forecourt/core/storage/transaction.hpp"

namespace forecourt::storage {

// field -> version of its current value. Append-only records keep one entry, "*".
using RecordVersions = std::map<std::string, Version, std::less<>>;

struct FieldWrite {
    std::string field;
    nlohmann::json value;
    Version version;
};

// Checks a JSON value against a field's declared type (null is always allowed
// unless the field is required and `creating`).
Status validate_field_value(const model::FieldSpec& spec, const nlohmann::json& value);

// A column read as the JSON value of a field of `type` (null when NULL).
nlohmann::json column_json(Statement& st, int column, model::FieldType type);

// Who a record belongs to and the versions of its fields.
struct RecordState {
    std::string owner_id;
    RecordVersions versions;
};

class RecordStore {
public:
    explicit RecordStore(Database& db) : db_(&db) {}

    // nullopt when the record does not exist.
    Result<std::optional<RecordVersions>> versions(const model::TableSpec& table,
                                                   const std::string& id);
    // nullopt when the record does not exist.
    Result<std::optional<RecordState>> state(const model::TableSpec& table, const std::string& id);
    // Whether writing to an existing record also makes `owner_id` its owner
    // (a record pulled from the store: the store's owner is the truth).
    enum class Owner { keep, take };

    // Writes the given fields with their versions, creating the record if
    // needed. The new versions are merged into the stored ones by SQLite, so
    // a write never reads the record first.
    Status put(Transaction& tx, const model::TableSpec& table, const std::string& id,
               const std::string& store_id, const std::string& owner_id,
               const std::vector<FieldWrite>& writes, Owner owner = Owner::keep);
    Status set_owner(Transaction& tx, const model::TableSpec& table, const std::string& id,
                     const std::string& owner_id);
    // The whole record as JSON: id, store_id, owner_id, versions and every field.
    Result<std::optional<nlohmann::json>> read(const model::TableSpec& table, const std::string& id);
    // Removes a record (and its derived rows) without leaving a trace.
    Status purge(Transaction& tx, const model::TableSpec& table, const std::string& id);
    // Re-labels records written before the book was enrolled with a store:
    // every record takes `store_id`, and what belonged to `from_owner` (owner
    // and consultant_id) now belongs to `to_owner`. Versions are kept: these
    // records have not left the tablet yet.
    Status adopt_identity(Transaction& tx, const model::TableSpec& table,
                          const std::string& from_owner, const std::string& to_owner,
                          const std::string& store_id);

    Database& db() const { return *db_; }

private:
    Status refresh_phone_index(const std::string& customer_id, const nlohmann::json& phones);
    const std::string& upsert_sql(const model::TableSpec& table,
                                  const std::vector<const model::FieldSpec*>& specs, Owner owner);
    Database* db_;
    std::unordered_map<std::string, std::string> upsert_sql_;  // by table, owner mode and fields
};

}  // namespace forecourt::storage
