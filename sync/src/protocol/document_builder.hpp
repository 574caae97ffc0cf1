// Internal: the document a SAX parse of untrusted JSON builds, within the
// depth and member limits. The SAX handlers around it say what a violation is.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/sync/protocol.hpp"

namespace forecourt::sync::detail {

class DocumentBuilder {
public:
    explicit DocumentBuilder(const Limits& limits) : limits_(limits) {}

    nlohmann::json root;

    // Open arrays and objects: 0 before the root is opened and after it closed.
    std::size_t depth() const { return levels_.size(); }
    bool in_array() const { return !levels_.empty() && levels_.back().container->is_array(); }

    // Counts a member of the innermost array or object: false past
    // max_array_length (which bounds both).
    bool count() { return ++levels_.back().members <= limits_.max_array_length; }
    // Counts a value about to be placed in an array (members of an object are
    // counted by their names).
    bool element() { return !in_array() || count(); }
    // The member of the innermost object the next value goes to (a repeated
    // name: the last value wins).
    void name(std::string key) { slot_ = &(*levels_.back().container)[std::move(key)]; }

    // Places a value where the parser is: the root, the array's next element,
    // or the member named last.
    template <typename Value>
    nlohmann::json* place(Value&& value) {
        if (levels_.empty()) {
            root = nlohmann::json(std::forward<Value>(value));
            return &root;
        }
        nlohmann::json& container = *levels_.back().container;
        if (container.is_array()) {
            container.emplace_back(std::forward<Value>(value));
            return &container.back();
        }
        *slot_ = nlohmann::json(std::forward<Value>(value));
        return slot_;
    }
    // Places an empty array or object and goes into it: false past max_depth.
    bool open(nlohmann::json empty) {
        if (static_cast<int>(levels_.size()) >= limits_.max_depth) return false;
        levels_.push_back(Level{place(std::move(empty)), 0});
        return true;
    }
    void close() { levels_.pop_back(); }

private:
    // An open array or object. It is only written to while it is the
    // innermost one, so the pointers to those around it stay valid.
    struct Level {
        nlohmann::json* container;
        std::size_t members;
    };

    const Limits& limits_;
    std::vector<Level> levels_;       // outermost first
    nlohmann::json* slot_ = nullptr;  // the member whose name was read last
};

}  // namespace forecourt::sync::detail
