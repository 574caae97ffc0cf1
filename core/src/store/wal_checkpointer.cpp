// The store's WAL, checkpointed beside the writer (see wal_checkpointer.hpp).
#include "forecourt/core/store/wal_checkpointer.hpp"

#include <sqlite3.h>

namespace forecourt::store {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(storage::Database& writer,
                                                                const storage::OpenOptions& options,
                                                                int pages) {
    storage::OpenOptions own_options = options;
    own_options.create = false;
    FC_ASSIGN(auto own, storage::Database::open(own_options));
    // This connection never writes a page: a checkpoint of its own at the
    // default limit would never be triggered, but neither is it wanted.
    FC_TRY(own.exec("PRAGMA wal_autocheckpoint=0"));
    std::unique_ptr<WalCheckpointer> checkpointer(
        new WalCheckpointer(writer, std::move(own), pages));
    sqlite3_wal_hook(writer.handle(), &WalCheckpointer::on_commit, checkpointer.get());
    return checkpointer;
}

WalCheckpointer::WalCheckpointer(storage::Database& writer, storage::Database own, int pages)
    : writer_(&writer), own_(std::move(own)), pages_(pages), thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
    sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

int WalCheckpointer::checkpoints() const {
    std::lock_guard lock(mutex_);
    return checkpoints_;
}

// Called by SQLite on the writer's thread after each commit, with the pages
// now in the WAL. It only signals: the commit does not wait for the copy.
int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int pages) {
    auto* checkpointer = static_cast<WalCheckpointer*>(self);
    if (pages < checkpointer->pages_) return SQLITE_OK;
    {
        std::lock_guard lock(checkpointer->mutex_);
        checkpointer->wanted_ = true;
    }
    checkpointer->wake_.notify_one();
    return SQLITE_OK;
}

void WalCheckpointer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return wanted_ || stopping_; });
        if (stopping_) return;
        wanted_ = false;
        lock.unlock();
        // PASSIVE: copies what no reader still needs, never waits for the
        // writer or a reader, and never blocks them. What it could not copy
        // is copied by a later one; an error is retried at the next signal.
        const int rc = sqlite3_wal_checkpoint_v2(own_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                                 nullptr, nullptr);
        lock.lock();
        if (rc == SQLITE_OK) ++checkpoints_;
    }
}

}  // namespace forecourt::store
