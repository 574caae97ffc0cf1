// The book's schema: ordered migrations keyed by PRAGMA user_version.
#pragma once

#include <span>
#include <string_view>

#include "forecourt/core/storage/database.hpp"

namespace forecourt::storage {

struct Migration {
    int version;           // user_version after this migration
    std::string_view what;  // one line, for logs
    std::string_view sql;
};

// Every migration of the tablet's book, oldest first.
std::span<const Migration> book_migrations();
inline int latest_book_version() { return static_cast<int>(book_migrations().size()); }

// Applies, each in its own transaction, every migration newer than the file's
// user_version, up to `target` (default: all). A file newer than this build is
// refused with schema_too_new and left untouched.
Status migrate(Database& db, std::span<const Migration> migrations, int target = -1);

}  // namespace forecourt::storage
