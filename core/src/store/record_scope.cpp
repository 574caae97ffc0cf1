// Ownership queries over the synced tables on the store server.
#include "forecourt/core/store/record_scope.hpp"

namespace forecourt::store {

using storage::Query;

bool is_customer_child(const model::TableSpec& table) {
    return table.name != "customers" && table.field("customer_id") != nullptr;
}

Result<std::optional<std::string>> RecordScope::owner_of(const model::TableSpec& table,
                                                         const std::string& id) {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT coalesce(owner_id, '') FROM " +
                                               std::string(table.name) + " WHERE id = ?"));
    q->bind(1, id);
    FC_ASSIGN(bool row, q->step());
    if (!row) return std::optional<std::string>{};
    return std::optional<std::string>{q->text(0)};
}

Result<std::vector<std::string>> RecordScope::customers_owned_by(const std::string& owner_id) {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT id FROM customers WHERE owner_id = ? ORDER BY id"));
    q->bind(1, owner_id);
    std::vector<std::string> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        out.push_back(q->text(0));
    }
    return out;
}

Result<std::vector<std::string>> RecordScope::ids(const model::TableSpec& table) {
    FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT id FROM " + std::string(table.name) + " ORDER BY id"));
    std::vector<std::string> out;
    for (;;) {
        FC_ASSIGN(bool row, q->step());
        if (!row) break;
        out.push_back(q->text(0));
    }
    return out;
}

Result<std::vector<RecordRef>> RecordScope::children_of(const std::string& customer_id) {
    std::vector<RecordRef> out;
    for (const auto& table : model::synced_tables()) {
        if (!is_customer_child(table)) continue;
        FC_ASSIGN(auto q, Query::prepare(*db_, "SELECT id FROM " + std::string(table.name) +
                                                   " WHERE customer_id = ? ORDER BY id"));
        q->bind(1, customer_id);
        for (;;) {
            FC_ASSIGN(bool row, q->step());
            if (!row) break;
            out.push_back(RecordRef{&table, q->text(0)});
        }
    }
    return out;
}

}  // namespace forecourt::store
