// Tables, headings, JSON and the readable forms of dates and codes.
#include "cli/output.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace forecourt::cli {
namespace {

// Decodes one UTF-8 code point at `i`, advancing it; a malformed byte decodes
// as itself so width stays defined for any input.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto lead = static_cast<unsigned char>(s[i++]);
    int extra = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
    char32_t cp = extra == 3   ? lead & 0x07
                  : extra == 2 ? lead & 0x0f
                  : extra == 1 ? lead & 0x1f
                               : lead;
    for (; extra > 0 && i < s.size(); --extra) {
        const auto c = static_cast<unsigned char>(s[i]);
        if ((c & 0xc0) != 0x80) break;
        cp = (cp << 6) | (c & 0x3f);
        ++i;
    }
    return cp;
}

bool is_zero_width(char32_t cp) {
    return (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) ||
           (cp >= 0xfe00 && cp <= 0xfe0f);
}

// East Asian wide and fullwidth ranges (Hangul, CJK, kana, fullwidth forms).
bool is_wide(char32_t cp) {
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
           (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
           (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
           (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
           (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
           (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
}

void pad(std::ostream& out, std::size_t n) {
    for (; n > 0; --n) out << ' ';
}

}  // namespace

std::size_t display_width(std::string_view utf8) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        const char32_t cp = next_code_point(utf8, i);
        width += is_zero_width(cp) ? 0 : is_wide(cp) ? 2 : 1;
    }
    return width;
}

Table::Table(std::vector<std::string> headings) : headings_(std::move(headings)) {}

void Table::add_row(std::vector<std::string> cells) {
    cells.resize(headings_.size());
    rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out, std::string_view indent) const {
    std::vector<std::size_t> widths(headings_.size());
    for (std::size_t c = 0; c < headings_.size(); ++c) {
        widths[c] = display_width(headings_[c]);
        for (const auto& row : rows_) widths[c] = std::max(widths[c], display_width(row[c]));
    }
    print_row(out, indent, headings_, widths);
    std::vector<std::string> rules;
    for (auto w : widths) rules.emplace_back(w, '-');
    print_row(out, indent, rules, widths);
    for (const auto& row : rows_) print_row(out, indent, row, widths);
}

void Table::print_row(std::ostream& out, std::string_view indent,
                      const std::vector<std::string>& row,
                      const std::vector<std::size_t>& widths) const {
    out << indent;
    for (std::size_t c = 0; c < row.size(); ++c) {
        out << row[c];
        if (c + 1 < row.size()) pad(out, widths[c] - display_width(row[c]) + 2);
    }
    out << '\n';
}

void print_fields(std::ostream& out, const Fields& fields, std::string_view indent) {
    std::size_t width = 0;
    for (const auto& [label, value] : fields)
        if (!value.empty()) width = std::max(width, display_width(label));
    for (const auto& [label, value] : fields) {
        if (value.empty()) continue;
        out << indent << label;
        pad(out, width - display_width(label) + 2);
        out << value << '\n';
    }
}

void print_title(std::ostream& out, std::string_view title) {
    out << "\n== " << title << " ==\n\n";
}

void print_section(std::ostream& out, std::string_view title) {
    out << '\n' << title << '\n' << std::string(display_width(title), '-') << '\n';
}

void print_json(std::ostream& out, const nlohmann::json& document) {
    out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

std::string local_date_time(platform::EpochMs at, int utc_offset_minutes) {
    return model::Date::of_instant(at, utc_offset_minutes).to_string() + " " +
           local_time_of_day(at, utc_offset_minutes);
}

std::string local_time_of_day(platform::EpochMs at, int utc_offset_minutes) {
    constexpr platform::EpochMs kDay = 24LL * 60 * 60 * 1000;
    const platform::EpochMs local =
        at + static_cast<platform::EpochMs>(utc_offset_minutes) * 60'000;
    const platform::EpochMs in_day = ((local % kDay) + kDay) % kDay;
    char text[16];
    std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(in_day / 3'600'000),
                  static_cast<int>(in_day / 60'000 % 60));
    return text;
}

std::string day_with_weekday(model::Date day) {
    namespace chr = std::chrono;
    static constexpr const char* kNames[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    const chr::sys_days days{chr::year{day.year()} / chr::month{day.month()} / chr::day{day.day()}};
    return std::string(kNames[chr::weekday{days}.c_encoding()]) + " " + day.to_string();
}

std::string overdue_text(int days_overdue) {
    if (days_overdue == 0) return "today";
    const int n = days_overdue < 0 ? -days_overdue : days_overdue;
    const std::string days = std::to_string(n) + (n == 1 ? " day" : " days");
    return days_overdue > 0 ? days + " overdue" : "in " + days;
}

std::string grade_text(const std::optional<std::string>& grade) {
    return label_of(model::grades(), grade);
}

std::string label_of(const model::Vocabulary& vocabulary, const std::optional<std::string>& code) {
    if (!code || code->empty()) return "—";
    return std::string(vocabulary.label(*code));
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += separator;
        out += p;
    }
    return out;
}

std::string or_dash(const std::optional<std::string>& text) {
    return text && !text->empty() ? *text : "—";
}

}  // namespace forecourt::cli
