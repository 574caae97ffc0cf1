// Checkpoints the store's WAL on a thread of its own, so that no commit waits
// for one.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "forecourt/core/result.hpp"
#include "forecourt/core/storage/database.hpp"

namespace forecourt::store {

// SQLite's own automatic checkpoint runs inside the commit that grows the WAL
// past its limit, so that commit (and every request queued behind the store's
// writer) waits while thousands of pages are copied back and synced. Here the
// writer's commit only tells this thread that the WAL has reached `pages`; the
// thread runs a PASSIVE checkpoint on a connection of its own, which copies
// the frames back while the writer goes on committing. SQLite restarts the WAL
// from its beginning at the first write after a checkpoint that copied it all.
class WalCheckpointer {
  public:
    // Installs the commit hook on `writer` (replacing SQLite's automatic
    // checkpoint) and opens the checkpointing connection with `options`.
    // The writer must outlive this object.
    static Result<std::unique_ptr<WalCheckpointer>> start(storage::Database& writer,
                                                          const storage::OpenOptions& options,
                                                          int pages);
    // Removes the hook, finishes a checkpoint under way, and stops the thread.
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    // Checkpoints run to the end so far (whether or not readers let them copy every frame).
    int checkpoints() const;

  private:
    WalCheckpointer(storage::Database& writer, storage::Database own, int pages);
    static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
    void run();

    storage::Database* writer_;
    storage::Database own_;
    int pages_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool wanted_ = false;
    bool stopping_ = false;
    int checkpoints_ = 0;
    std::thread thread_;  // last: started once everything above is set
};

}  // namespace forecourt::store
