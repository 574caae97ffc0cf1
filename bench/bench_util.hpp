// Helpers shared by every benchmark: timing, medians, ratio checks against a
// target, readable tables, JSON output and a scratch directory for the files measured.
#pragma once

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace forecourt::bench {

using Json = nlohmann::ordered_json;  // keeps keys in the order they were written

// Microseconds since `start` on the steady clock.
inline double elapsed_us(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
        .count();
}

// The median of the samples (the mean of the middle two for an even count); 0 for none.
double median(std::vector<double> samples);
// The sample at fraction p (0..1) of the sorted samples, e.g. 0.99; 0 for none.
double percentile(std::vector<double> samples, double p);

// One figure measured on a baseline and on a subject, in the same run, and the
// most the subject may cost relative to the baseline.
struct Comparison {
    double baseline_us = 0;
    double subject_us = 0;
    double target = 0;  // the largest acceptable subject/baseline ratio
    // Set by paired(): the median of the ratios of samples taken side by side.
    double paired_ratio = 0;

    double ratio_of_medians() const { return baseline_us > 0 ? subject_us / baseline_us : 0; }
    double ratio() const { return paired_ratio > 0 ? paired_ratio : ratio_of_medians(); }
    bool pass() const { return ratio() <= target; }
};

// The medians of samples taken in pairs (baseline[i] and subject[i] one right
// after the other), and as the ratio the median of the pairs' ratios: when
// the machine slows down for part of a run, both of a pair slow down
// together, whereas the two medians can fall on either side of the change.
Comparison paired(const std::vector<double>& baseline, const std::vector<double>& subject, double target);

// "850 µs", "12.3 ms", "1.24 s"
std::string format_duration(double us);
// "1.04×"
std::string format_ratio(double ratio);
// "20,000"
std::string format_count(std::uint64_t n);

// A text table whose columns line up in a terminal (CJK characters count double).
class Table {
  public:
    explicit Table(std::vector<std::string> headers);
    void add_row(std::vector<std::string> cells);
    void print(std::ostream& out) const;

  private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// Drops a file's pages from the operating system's page cache (after writing
// back any that are dirty), so the next read comes from the storage. No root
// needed. Asks again until mincore() finds none of the file's pages cached;
// false when the file could not be opened or advised, or stayed cached. (On
// a virtual machine the host may still cache the disk: "storage" is then as
// fast as the host's memory.)
bool evict_from_os_cache(const std::string& path);

// Progress lines go to stderr, so stdout holds only the table or the JSON.
void progress(std::string_view message);

// A directory for a benchmark's files: a new temporary one removed at the end,
// or a given one that is kept for inspection.
class ScratchDir {
  public:
    explicit ScratchDir(const std::string& keep_in = "");
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
    bool remove_;
};

}  // namespace forecourt::bench
