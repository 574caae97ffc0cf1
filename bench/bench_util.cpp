// Timing statistics, number formatting, tables and scratch directories for the benchmarks.
#include "bench_util.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <vector>

namespace forecourt::bench {
namespace {

// Terminal columns a UTF-8 string takes: one per code point, two for CJK
// (U+3000..U+9FFF, three-byte sequences led by 0xE3..0xE9).
std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (const char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        if ((byte & 0xC0) == 0x80) continue;
        width += (byte >= 0xE3 && byte <= 0xE9) ? 2 : 1;
    }
    return width;
}

std::string printf_string(const char* format, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

}  // namespace

double median(std::vector<double> samples) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    const auto mid = samples.size() / 2;
    return samples.size() % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
}

double percentile(std::vector<double> samples, double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    const auto rank = static_cast<std::size_t>(p * static_cast<double>(samples.size()));
    return samples[std::min(samples.size() - 1, rank)];
}

std::string format_duration(double us) {
    if (us < 1'000) return printf_string("%.0f µs", us);
    if (us < 10'000) return printf_string("%.2f ms", us / 1e3);
    if (us < 1'000'000) return printf_string("%.1f ms", us / 1e3);
    return printf_string("%.2f s", us / 1e6);
}

Comparison paired(const std::vector<double>& baseline, const std::vector<double>& subject, double target) {
    Comparison c{median(baseline), median(subject), target};
    std::vector<double> ratios;
    for (std::size_t i = 0; i < std::min(baseline.size(), subject.size()); ++i)
        if (baseline[i] > 0) ratios.push_back(subject[i] / baseline[i]);
    c.paired_ratio = median(ratios);
    return c;
}

std::string format_ratio(double ratio) {
    return printf_string("%.2f×", ratio);
}

std::string format_count(std::uint64_t n) {
    const std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells) {
    cells.resize(headers_.size());
    rows_.push_back(std::move(cells));
}

// The first column is left-aligned (labels), the others right-aligned (figures).
void Table::print(std::ostream& out) const {
    std::vector<std::size_t> widths(headers_.size());
    for (std::size_t c = 0; c < headers_.size(); ++c) {
        widths[c] = display_width(headers_[c]);
        for (const auto& row : rows_) widths[c] = std::max(widths[c], display_width(row[c]));
    }
    auto print_row = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const std::string pad(widths[c] - display_width(cells[c]), ' ');
            out << (c == 0 ? cells[c] + pad : "  " + pad + cells[c]);
        }
        out << '\n';
    };
    print_row(headers_);
    std::size_t total = 0;
    for (const auto w : widths) total += w + 2;
    out << std::string(total - 2, '-') << '\n';
    for (const auto& row : rows_) print_row(row);
}

namespace {

// Pages of the open file `fd` (of `size` bytes) that the OS page cache holds.
std::size_t resident_pages(int fd, off_t size) {
    if (size <= 0) return 0;
    void* map = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) return 0;
    const long page = ::sysconf(_SC_PAGESIZE);
    std::vector<unsigned char> in_core(static_cast<std::size_t>((size + page - 1) / page));
    std::size_t resident = 0;
    if (::mincore(map, static_cast<std::size_t>(size), in_core.data()) == 0)
        for (unsigned char c : in_core) resident += c & 1;
    ::munmap(map, static_cast<std::size_t>(size));
    return resident;
}

}  // namespace

bool evict_from_os_cache(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0 && ::fdatasync(fd) == 0;
    // The kernel skips pages it is still adding to its LRU lists (batched per
    // CPU), so one request can leave much of a just-written file cached:
    // ask again until the file is out, and fail rather than measure warm pages
    // as cold.
    bool evicted = false;
    for (int attempt = 0; ok && !evicted && attempt < 50; ++attempt) {
        if (attempt > 0) ::usleep(20'000);
        ok = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
        evicted = resident_pages(fd, st.st_size) == 0;
    }
    ::close(fd);
    return ok && evicted;
}

void progress(std::string_view message) {
    std::cerr << message << std::endl;
}

ScratchDir::ScratchDir(const std::string& keep_in) : remove_(keep_in.empty()) {
    if (!remove_) {
        path_ = keep_in;
        std::filesystem::create_directories(path_);
        return;
    }
    std::string pattern =
        (std::filesystem::temp_directory_path() / "forecourt-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory");
    path_ = pattern;
}

ScratchDir::~ScratchDir() {
    if (!remove_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace forecourt::bench
