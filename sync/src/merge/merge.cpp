// Per-field last-writer-wins with conflict capture; HLC re-stamping.
#include "forecourt/sync/merge.hpp"

namespace forecourt::sync {

using nlohmann::json;

Stamp stamp_change(HybridClock& server_clock, Hlc incoming, const std::string& device_id,
                   platform::EpochMs max_skew_ms) {
    const auto wall = server_clock.wall().now_ms();
    const auto limit = static_cast<std::uint64_t>(std::max<platform::EpochMs>(0, wall + max_skew_ms));
    if (incoming.physical_ms() > limit)
        return Stamp{Version{server_clock.tick(), device_id}, true, incoming};
    server_clock.observe(incoming);
    return Stamp{Version{incoming, device_id}, false, incoming};
}

FieldDecision merge_field(const FieldChange& pushed, const Version& stamped,
                          const std::string& device_id, const std::optional<CurrentField>& current) {
    FieldDecision d{pushed.field, true, pushed.value, stamped, std::nullopt};
    if (!current) return d;
    const bool sequential = (pushed.base && *pushed.base == current->version) ||
                            current->version.replica == device_id;
    if (sequential) return d;
    const bool pushed_wins = stamped > current->version;
    if (!pushed_wins) {
        d.apply = false;
        d.value = current->value;
        d.version = current->version;
    }
    if (pushed.value != current->value) {
        d.conflict = pushed_wins
                         ? FieldConflict{pushed.value, stamped, current->value, current->version}
                         : FieldConflict{current->value, current->version, pushed.value, stamped};
    }
    return d;
}

namespace {

std::optional<CurrentField> current_field(const json& row, const std::string& field) {
    auto versions = row.find("versions");
    if (versions == row.end() || !versions->is_object()) return std::nullopt;
    auto v = versions->find(field);
    if (v == versions->end() || !v->is_string()) return std::nullopt;
    auto version = Version::parse(v->get<std::string>());
    if (!version) return std::nullopt;
    auto value = row.find(field);
    return CurrentField{value == row.end() ? json() : *value, *version};
}

}  // namespace

RecordMerge merge_record(const model::TableSpec& table, const std::optional<json>& current,
                         const Change& change, const Version& stamped, const std::string& device_id) {
    RecordMerge out;
    if (table.kind == model::TableKind::append_only && current) {
        out.duplicate = true;
        return out;
    }
    for (const auto& pushed : change.fields) {
        std::optional<CurrentField> existing;
        if (current && table.kind != model::TableKind::append_only)
            existing = current_field(*current, pushed.field);
        auto decision = merge_field(pushed, stamped, device_id, existing);
        if (decision.apply) out.writes.push_back(storage::FieldWrite{pushed.field, pushed.value, stamped});
        out.fields.push_back(std::move(decision));
    }
    return out;
}

std::vector<storage::FieldWrite> merge_pulled(const PulledChange& change, const std::set<std::string>& pending) {
    PulledChange copy;
    copy.fields = change.fields;
    return merge_pulled(std::move(copy), pending);
}

std::vector<storage::FieldWrite> merge_pulled(PulledChange&& change, const std::set<std::string>& pending) {
    std::vector<storage::FieldWrite> writes;
    writes.reserve(change.fields.size());
    for (auto& f : change.fields) {
        if (pending.contains(f.field)) continue;
        writes.push_back(storage::FieldWrite{std::move(f.field), std::move(f.value), std::move(f.version)});
    }
    return writes;
}

}  // namespace forecourt::sync
