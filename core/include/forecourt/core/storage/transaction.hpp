// A write transaction that rolls back unless committed (including when an
// exception unwinds through it). Write paths take one as a parameter.
#pragma once

#include "forecourt/core/storage/database.hpp"

namespace forecourt::storage {

class Transaction {
public:
    // BEGIN IMMEDIATE: takes the write lock now, so a later write cannot fail busy.
    static Result<Transaction> begin(Database& db);

    Transaction(Transaction&& other) noexcept : db_(other.db_), open_(other.open_) {
        other.open_ = false;
    }
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    ~Transaction();

    Status commit();
    void rollback();
    bool is_open() const { return open_; }
    Database& db() const { return *db_; }

private:
    explicit Transaction(Database& db) : db_(&db), open_(true) {}
    Database* db_;
    bool open_;
};

}  // namespace forecourt::storage
