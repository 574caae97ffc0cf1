// The tablet's sync commands: enrol with a store server, sync with it (once or
// watching), and show the sync state.
#pragma once

#include <string>

#include "forecourt/core/model/vocabulary.hpp"
#include "forecourt/sync/client/sync_client.hpp"
#include "tablet/tablet_context.hpp"

namespace forecourt::cli {

struct SyncArgs {
    bool json = false;
    bool watch = false;
    int max_seconds = 0;  // with --watch: stop after this long; 0: until SIGINT/SIGTERM
    int batch = 500;      // outbox changes per push
    bool retry_refused = false;  // queue the changes the store refused again first
};

// One sync over the pinned HTTPS connection: pushes the outbox in batches,
// then pulls pages; shows pull progress on a terminal.
Result<sync::SyncSummary> sync_once(sync::SyncClient& client, const store::SyncState& state,
                                    bool show_progress);

// `tablet sync --watch`: stays connected and syncs when poked or when local
// changes wait, backing off while the server is unreachable.
Status watch_and_sync(Book& book, const SyncArgs& args);

void add_sync_commands(CLI::App& tablet, const TabletContextPtr& context);

}  // namespace forecourt::cli
