// Writing JSON text piece by piece, where building a document only to write
// it out would cost more than the rest of the work.
#pragma once

#include <string>
#include <string_view>

namespace forecourt {

// Appends `text` as a JSON string: as it is when every byte is printable
// ASCII other than the quote and the backslash (table names and ids are),
// else through the JSON library's escaping (invalid UTF-8 replaced).
void append_json_string(std::string& out, std::string_view text);

}  // namespace forecourt
