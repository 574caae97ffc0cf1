// The initial pulls of `forecourt-bench sync`, each by a new tablet in a child
// process of its own, so that its peak RSS is the tablet's alone.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "forecourt/platform/result.hpp"
#include "sync_harness.hpp"

namespace forecourt::bench {

struct PullFigures {
    double us = 0;
    int pulled = 0;
    std::uint64_t rss_kib = 0;  // the pulling process's peak
};

// Repeated pulls of one book: the median time, the largest peak RSS.
struct PullSeries {
    std::vector<double> samples_us;
    int pulled = 0;
    std::uint64_t rss_kib = 0;

    void add(const PullFigures& p) {
        samples_us.push_back(p.us);
        pulled = p.pulled;
        rss_kib = std::max(rss_kib, p.rss_kib);
    }
    double us() const { return median(samples_us); }
};

// What the child is told on its command line.
struct PullChild {
    int port = 0;
    std::string pin, code, book;
};

// The child's side: a fresh tablet enrols and pulls everything; prints its figures.
int run_pull_child(const PullChild& o);

// Runs the pull in a child process of its own, so its peak RSS is the tablet's alone.
Result<PullFigures> pull_in_child(LoopbackStore& store, const std::string& consultant_id,
                                  const std::string& book_path);

}  // namespace forecourt::bench
