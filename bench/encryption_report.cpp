// The encryption benchmark's report: each workload's plain and encrypted
// medians, their ratio and target, and what opening costs.
#include "encryption_report.hpp"

#include <iostream>
#include <vector>

#include "forecourt/platform/key_store.hpp"

namespace forecourt::bench::encryption_bench {
namespace {

struct Row {
    const char* key;
    const char* label;
    const Comparison* c;
};

std::vector<Row> rows(const Results& r) {
    return {{"record_contacts", "(a) record contacts, 1 FULL tx each", &r.record},
            {"bulk_insert", "(b) write a whole book in 1 tx", &r.bulk},
            {"scan_cold", "(c) full scan of contacts, cold", &r.scan_cold},
            {"scan_warm", "(c) full scan of contacts, warm", &r.scan_warm},
            {"lookups_cold", "(c) point lookups, cold", &r.lookups_cold},
            {"lookups_warm", "(c) point lookups, warm", &r.lookups_warm}};
}

// Figures reported without a target.
std::vector<Row> informational_rows(const Results& r) {
    return {{"scan_reopened", "(c) full scan, reopened (OS cache warm)", &r.scan_reopened},
            {"lookups_reopened", "(c) point lookups, reopened (OS cache warm)", &r.lookups_reopened}};
}

}  // namespace

Json report_json(const Sizes& s, bool quick, const Results& r) {
    const auto kdf = platform::KdfLimits::interactive();
    Json out{{"benchmark", "encryption"}, {"quick", quick}, {"repetitions", s.repetitions},
             {"cold_samples", s.repetitions * kColdSamples},
             {"warm_reads", Json{{"scan", kWarmScanReads}, {"lookups", kWarmLookupReads}}},
             {"sizes", Json{{"recorded_contacts", s.recorded}, {"customers", s.customers},
                            {"contacts", s.contacts}, {"follow_ups", s.follow_ups},
                            {"lookups", s.lookups}}},
             {"file_bytes", Json{{"plain", r.file_bytes[0]}, {"encrypted", r.file_bytes[1]}}}};
    bool all_pass = true;
    Json workloads = Json::object();
    const auto figures = [](const Comparison& c) {
        return Json{{"plain_us", c.baseline_us}, {"encrypted_us", c.subject_us}, {"ratio", c.ratio()},
                    {"ratio_of_medians", c.ratio_of_medians()}};
    };
    for (const auto& row : rows(r)) {
        workloads[row.key] = figures(*row.c);
        workloads[row.key]["target"] = row.c->target;
        workloads[row.key]["pass"] = row.c->pass();
        all_pass = all_pass && row.c->pass();
    }
    for (const auto& row : informational_rows(r)) workloads[row.key] = figures(*row.c);
    out["workloads"] = workloads;
    const bool open_pass = r.open_encrypted_us <= kOpenTargetUs;
    out["open"] = Json{{"plain_us", r.open_sqlite.baseline_us},
                       {"encrypted_sqlite_us", r.open_sqlite.subject_us},
                       {"sqlite_ratio", r.open_sqlite.ratio()},
                       {"unlock_us", r.unlock_us},
                       {"encrypted_total_us", r.open_encrypted_us},
                       {"kdf_opslimit", kdf.opslimit},
                       {"kdf_memlimit_bytes", kdf.memlimit},
                       {"target_us", kOpenTargetUs},
                       {"pass", open_pass}};
    out["all_pass"] = all_pass && open_pass;
    return out;
}

void print_report(const Sizes& s, const Results& r) {
    std::cout << "book: " << format_count(static_cast<std::uint64_t>(s.customers))
              << " customers, " << format_count(static_cast<std::uint64_t>(s.contacts))
              << " contacts, " << format_count(static_cast<std::uint64_t>(s.follow_ups))
              << " follow-ups; file " << format_count(r.file_bytes[0] / 1024) << " KiB plain, "
              << format_count(r.file_bytes[1] / 1024) << " KiB encrypted; medians of "
              << s.repetitions << " repetitions (" << s.repetitions * kColdSamples
              << " samples of each cold read; warm: the median of " << kWarmScanReads
              << " scans and of " << kWarmLookupReads << " lookup runs a repetition)\n\n";
    Table table({"workload (median)", "plain", "encrypted", "enc/plain", "target", "result"});
    bool all_pass = true;
    for (const auto& row : rows(r)) {
        table.add_row({row.label, format_duration(row.c->baseline_us),
                       format_duration(row.c->subject_us), format_ratio(row.c->ratio()),
                       "≤ " + format_ratio(row.c->target), row.c->pass() ? "pass" : "MISS"});
        all_pass = all_pass && row.c->pass();
    }
    for (const auto& row : informational_rows(r))
        table.add_row({row.label, format_duration(row.c->baseline_us),
                       format_duration(row.c->subject_us), format_ratio(row.c->ratio()), "", ""});
    const bool open_pass = r.open_encrypted_us <= kOpenTargetUs;
    table.add_row({"(d) open: SQLite only", format_duration(r.open_sqlite.baseline_us),
                   format_duration(r.open_sqlite.subject_us), format_ratio(r.open_sqlite.ratio()),
                   "", ""});
    table.add_row({"(d) open: Argon2id unlock", "", format_duration(r.unlock_us), "", "", ""});
    table.add_row({"(d) open: total", format_duration(r.open_sqlite.baseline_us),
                   format_duration(r.open_encrypted_us), "", "≤ 500 ms",
                   open_pass ? "pass" : "MISS"});
    table.print(std::cout);
    std::cout << "\ncold = the book's files evicted from the OS page cache, then a new "
                 "connection; reopened = a new connection, files still in the OS page cache; "
                 "warm = the same read again on that connection; enc/plain = the median of "
                 "the ratios of the repetitions (each measures both books, one right after the "
                 "other)\n"
              << (all_pass && open_pass ? "every figure within its target"
                                        : "a figure missed its target")
              << '\n';
}

}  // namespace forecourt::bench::encryption_bench
