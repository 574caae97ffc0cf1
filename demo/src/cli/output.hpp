// Shared output for the CLI: aligned tables and headings for people, JSON for
// scripts, and the readable forms of dates, grades and codes.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "forecourt/core/model/date.hpp"
#include "forecourt/core/model/vocabulary.hpp"
#include "forecourt/platform/clock.hpp"

namespace forecourt::cli {

// Columns a string takes in a terminal: CJK characters take two, so Chinese
// names still line up.
std::size_t display_width(std::string_view utf8);

// A table printed with its columns aligned; the last column is not padded.
class Table {
  public:
    explicit Table(std::vector<std::string> headings);
    void add_row(std::vector<std::string> cells);
    bool empty() const { return rows_.empty(); }
    void print(std::ostream& out, std::string_view indent = "  ") const;

  private:
    void print_row(std::ostream& out, std::string_view indent, const std::vector<std::string>& row,
                   const std::vector<std::size_t>& widths) const;

    std::vector<std::string> headings_;
    std::vector<std::vector<std::string>> rows_;
};

// "label  value" lines with the values aligned; empty values are left out.
using Fields = std::vector<std::pair<std::string, std::string>>;
void print_fields(std::ostream& out, const Fields& fields, std::string_view indent = "  ");

// A top-level heading ("== Title ==") or a section title underlined.
void print_title(std::ostream& out, std::string_view title);
void print_section(std::ostream& out, std::string_view title);

// Pretty-printed JSON; invalid UTF-8 in stored text is replaced, never fatal.
void print_json(std::ostream& out, const nlohmann::json& document);

// "2025-11-22 10:30" in the consultant's local time.
std::string local_date_time(platform::EpochMs at, int utc_offset_minutes);
// "10:30" in the consultant's local time.
std::string local_time_of_day(platform::EpochMs at, int utc_offset_minutes);
// "Sat 2025-11-22"
std::string day_with_weekday(model::Date day);
// "today", "2 days overdue", "in 3 days"
std::string overdue_text(int days_overdue);

// "H — buys within 7 days"; "—" when there is no grade.
std::string grade_text(const std::optional<std::string>& grade);
// The label of a code in a vocabulary; "—" when absent.
std::string label_of(const model::Vocabulary& vocabulary, const std::optional<std::string>& code);

std::string join(const std::vector<std::string>& parts, std::string_view separator = ", ");
std::string or_dash(const std::optional<std::string>& text);

}  // namespace forecourt::cli
