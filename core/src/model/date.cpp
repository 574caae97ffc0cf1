// Calendar date arithmetic on std::chrono.
#include "forecourt/core/model/date.hpp"

#include <charconv>
#include <cstdio>

namespace forecourt::model {

namespace chr = std::chrono;

Date Date::from_ymd(int y, unsigned m, unsigned d) {
    return Date(chr::sys_days(chr::year{y} / chr::month{m} / chr::day{d}));
}

std::optional<Date> Date::parse(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0, d = 0;
    auto num = [&](std::size_t pos, std::size_t len, auto& out) {
        auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
        return ec == std::errc{} && p == text.data() + pos + len;
    };
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
    const chr::year_month_day ymd{chr::year{y}, chr::month{m}, chr::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return Date(chr::sys_days(ymd));
}

Date Date::of_instant(platform::EpochMs at, int utc_offset_minutes) {
    const auto local = chr::sys_time<chr::milliseconds>(chr::milliseconds(at)) + chr::minutes(utc_offset_minutes);
    return Date(chr::floor<chr::days>(local));
}

Date Date::today(const platform::Clock& clock) {
    return of_instant(clock.now_ms(), clock.utc_offset_minutes());
}

std::string Date::to_string() const {
    const chr::year_month_day ymd{days_};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

unsigned Date::month() const { return static_cast<unsigned>(chr::year_month_day{days_}.month()); }
unsigned Date::day() const { return static_cast<unsigned>(chr::year_month_day{days_}.day()); }
int Date::year() const { return static_cast<int>(chr::year_month_day{days_}.year()); }

platform::EpochMs Date::start_ms(int utc_offset_minutes) const {
    const auto utc = chr::sys_time<chr::milliseconds>(days_) - chr::minutes(utc_offset_minutes);
    return utc.time_since_epoch().count();
}

}  // namespace forecourt::model
