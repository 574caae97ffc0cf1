// Parsing untrusted JSON within limits: UTF-8 is checked first, then one SAX
// pass checks depth, string and array sizes as it builds the document, and
// stops at the first violation.
#include <nlohmann/json.hpp>

#include <vector>

#include "forecourt/sync/codec.hpp"
#include "document_builder.hpp"
#include "json_reader.hpp"

namespace forecourt::sync {

using nlohmann::json;

std::size_t detail::invalid_utf8_at(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0, min = 0;
        if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, min = 0x10000;
        else return i;
        if (i + len > s.size()) return i;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return std::string_view::npos;
}

namespace {

// Checks the limits as the parser reads, and builds the document from what
// passed them: the parser reads the text once.
class BoundedBuilder final : public nlohmann::json_sax<json> {
public:
    explicit BoundedBuilder(const Limits& limits) : limits_(limits), doc_(limits) {}

    std::optional<Error> error;
    json& root() { return doc_.root; }

    bool null() override { return element() && put(nullptr); }
    bool boolean(bool b) override { return element() && put(b); }
    bool number_integer(number_integer_t n) override { return element() && put(n); }
    bool number_unsigned(number_unsigned_t n) override { return element() && put(n); }
    bool number_float(number_float_t n, const string_t&) override { return element() && put(n); }
    bool string(string_t& s) override { return element() && check_string(s) && put(std::move(s)); }
    bool binary(binary_t&) override { return fail(detail::protocol_error("binary values are not JSON")); }
    bool start_object(std::size_t) override { return element() && open(json::object()); }
    bool key(string_t& k) override {
        if (!check_string(k)) return false;
        if (!doc_.count()) return too_many();
        doc_.name(std::move(k));
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return element() && open(json::array()); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception&) override {
        // The parser's own message quotes the input; ours never does.
        return fail(detail::protocol_error("the body is not valid JSON (at byte " +
                                           std::to_string(position) + ")"));
    }

private:
    bool fail(Error e) {
        if (!error) error = std::move(e);
        return false;
    }
    bool too_many() {
        return fail(detail::too_large("an array or object has more than " +
                                      std::to_string(limits_.max_array_length) + " entries"));
    }
    bool element() { return doc_.element() || too_many(); }
    template <typename Value>
    bool put(Value&& value) {
        doc_.place(std::forward<Value>(value));
        return true;
    }
    bool open(json empty) {
        if (doc_.open(std::move(empty))) return true;
        return fail(detail::too_large("the JSON nests deeper than " + std::to_string(limits_.max_depth) +
                                      " levels"));
    }
    bool close() {
        doc_.close();
        return true;
    }
    bool check_string(const string_t& s) {
        if (s.size() <= limits_.max_string_bytes) return true;
        return fail(detail::too_large("a string has " + std::to_string(s.size()) +
                                      " bytes; at most " + std::to_string(limits_.max_string_bytes) +
                                      " are allowed"));
    }

    const Limits& limits_;
    detail::DocumentBuilder doc_;
};

}  // namespace

Result<json> parse_bounded(std::string_view text, const Limits& limits, std::size_t max_bytes) {
    if (text.size() > max_bytes)
        return detail::too_large("the body has " + std::to_string(text.size()) + " bytes; at most " +
                                 std::to_string(max_bytes) + " are allowed");
    if (auto bad = detail::invalid_utf8_at(text); bad != std::string_view::npos)
        return detail::protocol_error("the body is not valid UTF-8 (at byte " + std::to_string(bad) + ")");
    BoundedBuilder builder(limits);
    const bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                                    true, false);
    if (!ok || builder.error)
        return builder.error ? *builder.error : detail::protocol_error("the body is not valid JSON");
    if (!builder.root().is_object()) return detail::protocol_error("the body must be a JSON object");
    return std::move(builder.root());
}

std::string dump_json(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json new_message() { return json{{"protocol", kProtocolVersion}}; }

}  // namespace forecourt::sync
