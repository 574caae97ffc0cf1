// Prints the story's steps grouped by day, with the local time of each.
#include "story/narrator.hpp"

#include "cli/output.hpp"

namespace forecourt::cli {

Narrator::Narrator(std::ostream& out, const platform::Clock& clock, bool json)
    : out_(&out), clock_(&clock), json_(json) {}

void Narrator::chapter(std::string_view title) {
    day_.reset();
    if (!json_) print_title(*out_, title);
}

void Narrator::step(std::string_view what, std::string_view id) {
    const auto now = clock_->now_ms();
    const int offset = clock_->utc_offset_minutes();
    nlohmann::json entry = {{"at", now}, {"local", local_date_time(now, offset)}, {"what", what}};
    if (!id.empty()) entry["id"] = id;
    steps_.push_back(std::move(entry));
    if (json_) return;
    const auto day = model::Date::of_instant(now, offset);
    if (day != day_) {
        *out_ << "  " << day_with_weekday(day) << '\n';
        day_ = day;
    }
    *out_ << "    " << local_time_of_day(now, offset) << "  " << what << '\n';
}

}  // namespace forecourt::cli
