// `forecourt-bench encryption`: the sizes it runs, the figures it measures,
// and its report (a table, or JSON with --json).
#pragma once

#include <array>
#include <cstdint>

#include "bench_util.hpp"

namespace forecourt::bench::encryption_bench {

inline constexpr double kOpenTargetUs = 500'000;  // opening an encrypted book, Argon2id included

struct Sizes {
    int recorded = 5'000;  // (a) contacts, one transaction each
    int customers = 2'000, contacts = 20'000, follow_ups = 3'000;  // (b) one transaction
    int lookups = 10'000;                                            // (c)
    int repetitions = 5;
};

// A cold read (a scan takes about 10 ms) waits on the storage, whose speed
// swings from one read to the next: cold figures take three samples a
// repetition, so their medians are of three times as many.
constexpr int kColdSamples = 3;
// A warm read repeats on the same connection, the median of these kept each
// repetition. A warm scan takes about 2 ms, short enough for one preemption
// to decide a median of five: it takes fifteen. Warm lookups (over 100 ms
// each) take five.
constexpr int kWarmScanReads = 15;
constexpr int kWarmLookupReads = 5;

struct Results {
    Comparison record, bulk, scan_cold, scan_warm, lookups_cold, lookups_warm, open_sqlite;
    // New connection, files still in the OS page cache (reported, no target).
    Comparison scan_reopened, lookups_reopened;
    double unlock_us = 0;          // Argon2id and the key checks: encrypted only
    double open_encrypted_us = 0;  // unlock + open, what the consultant waits for
    std::array<std::uintmax_t, 2> file_bytes{};
};

Json report_json(const Sizes& s, bool quick, const Results& r);
void print_report(const Sizes& s, const Results& r);

}  // namespace forecourt::bench::encryption_bench
