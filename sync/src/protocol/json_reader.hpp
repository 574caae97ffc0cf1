// Internal: checked access to the members of untrusted JSON objects, and the
// error constructors of the codec. Every error names the member's path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "forecourt/core/json_text.hpp"
#include "forecourt/platform/result.hpp"
#include "forecourt/sync/protocol.hpp"

namespace forecourt::sync::detail {

using nlohmann::json;

Error protocol_error(std::string message);  // 400: the message's shape is wrong
Error too_large(std::string message);       // 413: a limit was exceeded
Error invalid(std::string message);         // 422: the content is wrong

class Members {
public:
    Members(const json& object, std::string path) : object_(&object), path_(std::move(path)) {}

    Result<std::string> text(std::string_view key) const;
    Result<std::optional<std::string>> opt_text(std::string_view key) const;  // absent or null
    Result<std::int64_t> integer(std::string_view key) const;
    Result<std::optional<std::int64_t>> opt_integer(std::string_view key) const;
    Result<bool> boolean(std::string_view key) const;
    Result<const json*> object(std::string_view key) const;
    Result<const json*> array(std::string_view key) const;
    const json* find(std::string_view key) const;  // nullptr when absent
    std::string path(std::string_view key) const;

private:
    Result<const json*> required(std::string_view key) const;
    const json* object_;
    std::string path_;
};

// A signed 64-bit integer, or nullopt (floats and values past INT64_MAX are not).
std::optional<std::int64_t> as_int64(const json& value);
// The object's "seq" member when it is a positive integer (a pushed change,
// or an error body naming one), else nullopt.
std::optional<std::int64_t> positive_seq(const json& object);
// The parsed body of a message, checked to speak this protocol version.
Result<json> parse_message(std::string_view body, const Limits& limits, std::size_t max_bytes);
// Whether a parsed message speaks this protocol version.
Status check_protocol(const json& message);
// Offset of the first byte that is not part of well-formed UTF-8 (no
// overlongs, no surrogates, nothing past U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view s);

}  // namespace forecourt::sync::detail

namespace forecourt::sync::detail {

// "<16 hex>@<replica>", strictly: lowercase hex, a replica id of 1 to 128
// printable characters.
std::optional<Version> version_from_wire(std::string_view text);
// A snapshot position's object ({"head", "table", "after", "sent"}), checked:
// counts not negative, a synced table (or none yet), an id only with a table.
Result<SnapshotPosition> snapshot_from_wire(const json& object, const std::string& path);
// Appends ,"snapshot":{...} for `position`.
void append_snapshot(std::string& out, const SnapshotPosition& position);
// A piece of untrusted input fit to quote in an error message.
std::string quoted(std::string_view text);
using forecourt::append_json_string;

}  // namespace forecourt::sync::detail
