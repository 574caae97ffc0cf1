// Calendar dates (the consultant's local day) and their conversion from instants.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "forecourt/platform/clock.hpp"

namespace forecourt::model {

class Date {
public:
    Date() = default;
    explicit Date(std::chrono::sys_days days) : days_(days) {}
    static Date from_ymd(int year, unsigned month, unsigned day);
    // "YYYY-MM-DD" of a real calendar day, else nullopt.
    static std::optional<Date> parse(std::string_view text);
    // The local calendar day of an instant, for a UTC offset in minutes.
    static Date of_instant(platform::EpochMs at, int utc_offset_minutes);
    static Date today(const platform::Clock& clock);

    std::string to_string() const;
    Date plus_days(int n) const { return Date(days_ + std::chrono::days(n)); }
    int days_until(Date later) const { return (later.days_ - days_).count(); }
    unsigned month() const;
    unsigned day() const;
    int year() const;
    // Local midnight at the start of this day, as an instant.
    platform::EpochMs start_ms(int utc_offset_minutes) const;

    friend auto operator<=>(const Date&, const Date&) = default;

private:
    std::chrono::sys_days days_{};
};

}  // namespace forecourt::model
