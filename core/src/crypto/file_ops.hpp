// Durable file operations for key files and rekey: write-temp-fsync-rename,
// directory syncs, and overwriting a file before it is unlinked.
#pragma once

#include <string>
#include <vector>

#include "forecourt/core/result.hpp"

namespace forecourt::crypto::detail {

bool file_exists(const std::string& path);
Result<std::string> read_small_file(const std::string& path);
// Writes `path.tmp`, fsyncs it, renames it over `path` and fsyncs the directory:
// after a crash `path` holds either the old or the new content, never a mix.
Status replace_file_durably(const std::string& path, const std::string& content);
// Renames and fsyncs the directory.
Status rename_durably(const std::string& from, const std::string& to);
Status fsync_file(const std::string& path);
Status fsync_directory_of(const std::string& path);
// Removes a file if present (and fsyncs the directory); missing is fine.
Status remove_durably(const std::string& path);
// Overwrites the file's bytes with random data and fsyncs before unlinking, so
// the old content is not left in the file system's free blocks by us.
Status shred_file(const std::string& path);
// Overwrites an already-unlinked file through its open descriptor, then closes it.
void shred_descriptor(int fd);

}  // namespace forecourt::crypto::detail
