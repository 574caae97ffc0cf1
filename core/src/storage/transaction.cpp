// Write transactions with rollback unless committed.
#include "forecourt/core/storage/transaction.hpp"

namespace forecourt::storage {

Result<Transaction> Transaction::begin(Database& db) {
    FC_TRY(db.exec("BEGIN IMMEDIATE"));
    return Transaction(db);
}

Transaction::~Transaction() { rollback(); }

Status Transaction::commit() {
    if (!open_) return make_error(ErrorCode::invalid_state, "transaction already ended", ErrorDomain::storage);
    auto status = db_->exec("COMMIT");
    if (!status.ok()) {
        rollback();
        return status;
    }
    open_ = false;
    return ok_status();
}

void Transaction::rollback() {
    if (!open_) return;
    open_ = false;
    (void)db_->exec("ROLLBACK");
}

}  // namespace forecourt::storage
