// The floor a sync is compared with: the same records written into a plain
// local SQLite database in one transaction, with nothing of sync around them.
#pragma once

#include <string>

#include "forecourt/platform/result.hpp"

namespace forecourt::bench {

struct FloorResult {
    double us = 0;           // the inserting transaction, commit included
    std::size_t records = 0;
};

// Reads every synced record of the book at `book_path` into memory, then times
// inserting them, in one transaction, into a new database at `floor_path` made
// with the book's own tables and indexes (WAL, synchronous=FULL, as the tablet).
Result<FloorResult> measure_floor(const std::string& book_path, const std::string& floor_path);

}  // namespace forecourt::bench
