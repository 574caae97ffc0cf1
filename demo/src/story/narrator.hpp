// The demo's running commentary: each step of the story with its local time,
// printed as it happens, or collected for --json.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "forecourt/core/model/date.hpp"
#include "forecourt/platform/clock.hpp"

namespace forecourt::cli {

class Narrator {
  public:
    Narrator(std::ostream& out, const platform::Clock& clock, bool json);

    bool json() const { return json_; }
    // The stream for whole sections (agenda, card); only used when not --json.
    std::ostream& out() { return *out_; }

    // Starts a part of the story under a heading.
    void chapter(std::string_view title);
    // One thing that happened now, by the story's clock; `id` is the record it made, if any.
    void step(std::string_view what, std::string_view id = {});
    // The steps so far, as JSON (for --json).
    const nlohmann::json& steps() const { return steps_; }

  private:
    std::ostream* out_;
    const platform::Clock* clock_;
    bool json_;
    std::optional<model::Date> day_;  // the day of the last step printed
    nlohmann::json steps_ = nlohmann::json::array();
};

}  // namespace forecourt::cli
