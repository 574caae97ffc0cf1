// Which records belong to whom on the store server: a consultant's customers
// and everything hanging off a customer (vehicles, follow-ups, history), for
// deciding owners of new records and for handovers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "forecourt/core/model/record_schema.hpp"
#include "forecourt/core/storage/database.hpp"

namespace forecourt::store {

struct RecordRef {
    const model::TableSpec* table = nullptr;
    std::string id;
};

class RecordScope {
public:
    explicit RecordScope(storage::Database& db) : db_(&db) {}

    // The record's owner, or nullopt when it does not exist.
    Result<std::optional<std::string>> owner_of(const model::TableSpec& table,
                                                const std::string& id);
    Result<std::vector<std::string>> customers_owned_by(const std::string& owner_id);
    // Every record id of a table, in id order (reference data lists).
    Result<std::vector<std::string>> ids(const model::TableSpec& table);
    // Vehicles, follow-ups, contacts, test drives and grade changes of a customer.
    Result<std::vector<RecordRef>> children_of(const std::string& customer_id);

private:
    storage::Database* db_;
};

// Tables whose records belong to a customer (they have a customer_id field).
bool is_customer_child(const model::TableSpec& table);

}  // namespace forecourt::store
