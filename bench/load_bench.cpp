// `forecourt-bench load`: many tablets in one process, each on its own HTTPS
// connection, record visits and sync with one store server at the same time
// while the store cuts some of their connections mid-request. Prints throughput
// and sync latency, and checks that no change was lost or applied twice.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <latch>
#include <optional>
#include <thread>

#include "bench_util.hpp"
#include "forecourt/core/storage/database.hpp"
#include "registry.hpp"
#include "sync_harness.hpp"

// A namespace of its own: the benchmarks are compiled in one unity batch.
namespace forecourt::bench::load_bench {
namespace {

struct LoadOptions {
    int devices = 200;
    int consultants = 50;
    int changes = 50;  // visits each device records and pushes
    int rounds = 5;    // syncs each device makes; its visits are spread over them
    double cut_share = 0.05;
    int server_threads = 2;
    std::uint64_t seed = 20'251'124;
    std::string dir;
};

constexpr int kProspectsPerDevice = 2;
constexpr int kMaxAttempts = 30;  // per sync, before the device gives up

// One simulated tablet: its book, its own connection, and what it measured.
struct Device {
    int index = 0;
    std::string consultant_id;
    BenchTablet tablet;
    std::vector<std::string> prospects;
    std::vector<double> sync_us;  // per sync, retries included: what the consultant waits
    int failed_attempts = 0;      // syncs that failed on a cut connection and were retried
    int recorded = 0;
    std::int64_t pushed = 0, pulled = 0;
    std::optional<Error> error;
    bool baseline = false;
};

// The loaded devices' visits are "load d<device> v<visit>"; the baseline's "solo v<visit>".
std::string visit_note(const Device& d, int visit) {
    return (d.baseline ? std::string("solo") : "load d" + std::to_string(d.index)) + " v" +
           std::to_string(visit);
}

Status record_visit(Device& d, int visit) {
    ContactInput in{d.prospects[static_cast<std::size_t>(visit) % d.prospects.size()],
                    "visit", "keep_in_touch", "客户在考虑", visit_note(d, visit),
                    std::nullopt, std::nullopt, std::nullopt};
    FC_TRY(d.tablet.book->record_contact(in));
    ++d.recorded;
    return ok_status();
}

// Syncs until it succeeds; a cut connection is an offline error, retried after a
// short pause, as the tablet's watch loop does. Returns the time it took.
Result<double> sync_until_done(Device& d, sync::Transport& link) {
    const auto start = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        auto summary = d.tablet.client->sync(link);
        if (summary.ok()) {
            d.pushed += summary->pushed;
            d.pulled += summary->pulled;
            return elapsed_us(start);
        }
        if (summary.error().code != ErrorCode::offline || attempt == kMaxAttempts)
            return summary.take_error();
        ++d.failed_attempts;
        std::this_thread::sleep_for(std::chrono::milliseconds(2 * attempt));
    }
}

// The visits of device d's round r: changes spread evenly over the rounds.
std::pair<int, int> round_visits(int changes, int rounds, int r) {
    return {changes * r / rounds, changes * (r + 1) / rounds};
}

void run_device(Device& d, LoopbackStore& store, const LoadOptions& o, std::latch& start) {
    HttpsTransport link(store.client_options());
    start.arrive_and_wait();
    for (int r = 0; r < o.rounds && !d.error; ++r) {
        const auto [first, last] = round_visits(o.changes, o.rounds, r);
        for (int v = first; v < last && !d.error; ++v)
            if (auto recorded = record_visit(d, v); !recorded.ok()) d.error = recorded.error();
        if (d.error) break;
        auto took = sync_until_done(d, link);
        if (!took.ok()) {
            d.error = took.error();
            break;
        }
        d.sync_us.push_back(*took);
    }
}

// Creates and enrols the devices (consultants get devices in turn), each with a
// couple of prospects, then lets every device pull its colleagues' prospects.
Result<std::vector<std::unique_ptr<Device>>> set_up_devices(LoopbackStore& store,
                                                            const ScratchDir& dir,
                                                            const LoadOptions& o) {
    std::vector<std::string> consultants;
    for (int c = 0; c < o.consultants; ++c) {
        FC_ASSIGN(auto id, store.add_consultant("顾问" + std::to_string(c + 1)));
        consultants.push_back(id);
    }
    DirectTransport direct(store.service());
    std::vector<std::unique_ptr<Device>> devices;
    for (int i = 0; i < o.devices; ++i) {
        if (i % 50 == 0)
            progress("enrolling tablets " + std::to_string(i + 1) + "–" +
                     std::to_string(std::min(o.devices, i + 50)) + " of " +
                     std::to_string(o.devices) + "...");
        auto d = std::make_unique<Device>();
        d->index = i;
        d->consultant_id = consultants[static_cast<std::size_t>(i % o.consultants)];
        BookOptions options;
        options.path = dir.file("tablet-" + std::to_string(i) + ".db");
        FC_ASSIGN(d->tablet, create_tablet(options, "tablet " + std::to_string(i)));
        FC_ASSIGN(auto code, store.issue_code(d->consultant_id));
        FC_TRY(d->tablet.enrol(direct, code, store.url(), store.fingerprint()));
        for (int p = 0; p < kProspectsPerDevice; ++p) {
            ProspectInput prospect;
            prospect.name = "客户" + std::to_string(i) + "-" + std::to_string(p);
            prospect.phones = {"13" + std::to_string(100'000'000 + i * 10 + p)};
            prospect.grade = "B";
            prospect.source = "walk_in";
            FC_ASSIGN(auto id, d->tablet.book->register_prospect(prospect));
            d->prospects.push_back(id);
        }
        FC_TRY(d->tablet.client->sync(direct));
        devices.push_back(std::move(d));
    }
    for (auto& d : devices) FC_TRY(d->tablet.client->sync(direct));
    return devices;
}

// The baseline: one device alone, the same rounds, nobody else on the server.
Result<std::vector<double>> solo_syncs(LoopbackStore& store, Device& solo, const LoadOptions& o) {
    HttpsTransport link(store.client_options());
    std::vector<double> out;
    const int rounds = std::max(o.rounds, 10);
    for (int r = 0; r < rounds; ++r) {
        const auto [first, last] = round_visits(o.changes, o.rounds, r % o.rounds);
        for (int v = first; v < last; ++v) FC_TRY(record_visit(solo, r * o.changes + v));
        FC_ASSIGN(double us, sync_until_done(solo, link));
        out.push_back(us);
    }
    return out;
}

struct Verdict {
    std::int64_t expected = 0;   // visits recorded by the loaded devices
    std::int64_t stored = 0;     // distinct ones in the store
    std::int64_t lost = 0;       // recorded but not in the store
    std::int64_t doubled = 0;    // changes the store applied more than once
    std::int64_t unsynced = 0;   // changes still waiting in a device's outbox
    std::int64_t not_pulled = 0; // colleagues' visits missing from a device's book
};

Result<Verdict> verify(LoopbackStore& store, std::vector<std::unique_ptr<Device>>& devices,
                       const LoadOptions& o) {
    progress("catching every device up and counting...");
    DirectTransport direct(store.service());
    Verdict v;
    v.expected = static_cast<std::int64_t>(o.devices) * o.changes;
    auto& db = store.database().db();
    FC_ASSIGN(std::int64_t rows,
              storage::query_int64(db, "SELECT COUNT(*) FROM contacts WHERE notes LIKE 'load d%'"));
    FC_ASSIGN(v.stored, storage::query_int64(
                            db, "SELECT COUNT(DISTINCT notes) FROM contacts WHERE notes LIKE 'load d%'"));
    v.lost = v.expected - v.stored;
    FC_ASSIGN(std::int64_t twice,
              storage::query_int64(db, "SELECT COUNT(*) FROM (SELECT 1 FROM change_log "
                                       "WHERE origin_device IS NOT NULL "
                                       "GROUP BY origin_device, origin_seq HAVING COUNT(*) > 1)"));
    v.doubled = twice + (rows - v.stored);
    // Each device's book must hold every visit of its consultant's devices.
    std::vector<std::int64_t> per_consultant(static_cast<std::size_t>(o.consultants), 0);
    for (const auto& d : devices)
        per_consultant[static_cast<std::size_t>(d->index % o.consultants)] += d->recorded;
    for (auto& d : devices) {
        FC_TRY(d->tablet.client->sync(direct));
        FC_ASSIGN(std::int64_t pending, d->tablet.book->changes().pending_count());
        v.unsynced += pending;
        FC_ASSIGN(std::int64_t held,
                  storage::query_int64(d->tablet.book->db(),
                                       "SELECT COUNT(*) FROM contacts WHERE notes LIKE 'load d%'"));
        v.not_pulled += std::max<std::int64_t>(
            0, per_consultant[static_cast<std::size_t>(d->index % o.consultants)] - held);
    }
    return v;
}

struct LoadFigures {
    double wall_us = 0;
    std::vector<double> sync_us, solo_us;
    std::int64_t pushed = 0, pulled = 0;
    int failed_attempts = 0, device_errors = 0;
    std::string first_error;
    Verdict verdict;
};

Json report_json(const LoadOptions& o, bool quick, const LoadFigures& f, const CutCounts& cuts) {
    const double changes = static_cast<double>(o.devices) * o.changes;
    const double solo_p50 = percentile(f.solo_us, 0.5);
    const double p50 = percentile(f.sync_us, 0.5), p99 = percentile(f.sync_us, 0.99);
    const auto& v = f.verdict;
    const bool correct = f.device_errors == 0 && v.lost == 0 && v.doubled == 0 &&
                         v.unsynced == 0 && v.not_pulled == 0;
    Json out{{"benchmark", "load"}, {"quick", quick}, {"seed", o.seed},
             {"transport", "https 127.0.0.1"}};
    out["devices"] = o.devices;
    out["consultants"] = o.consultants;
    out["changes_per_device"] = o.changes;
    out["syncs_per_device"] = o.rounds;
    out["server_threads"] = o.server_threads;
    out["wall_us"] = f.wall_us;
    out["throughput_changes_per_s"] = f.wall_us > 0 ? changes / (f.wall_us / 1e6) : 0;
    out["sync_latency"] = {{"samples", f.sync_us.size()}, {"p50_us", p50}, {"p99_us", p99},
                           {"solo_p50_us", solo_p50},
                           {"p50_ratio_to_solo", solo_p50 > 0 ? p50 / solo_p50 : 0},
                           {"p99_ratio_to_solo", solo_p50 > 0 ? p99 / solo_p50 : 0}};
    out["cuts"] = {{"share", o.cut_share}, {"sync_requests", cuts.sync_requests.load()},
                   {"before_apply", cuts.before_apply.load()}, {"after_apply", cuts.after_apply.load()},
                   {"failed_syncs_retried", f.failed_attempts}};
    out["pushed_changes"] = f.pushed;
    out["pulled_changes"] = f.pulled;
    out["verify"] = {{"expected", v.expected}, {"stored", v.stored}, {"lost", v.lost},
                     {"doubled", v.doubled}, {"unsynced", v.unsynced},
                     {"not_pulled", v.not_pulled}, {"device_errors", f.device_errors},
                     {"first_error", f.first_error}, {"pass", correct}};
    out["all_pass"] = correct;
    return out;
}

void print_report(const Json& r) {
    Table t({"figure", "measured"});
    const auto& lat = r["sync_latency"];
    const auto& cuts = r["cuts"];
    const auto& v = r["verify"];
    const auto count = [](const Json& j) { return format_count(j.get<std::uint64_t>()); };
    t.add_row({"devices (consultants)", count(r["devices"]) + " (" + count(r["consultants"]) + ")"});
    t.add_row({"visits pushed per device, in syncs", count(r["changes_per_device"]) + ", " +
                                                         count(r["syncs_per_device"])});
    t.add_row({"wall time", format_duration(r["wall_us"].get<double>())});
    t.add_row({"throughput", format_count(static_cast<std::uint64_t>(
                                 r["throughput_changes_per_s"].get<double>())) + " visits/s"});
    t.add_row({"sync latency p50", format_duration(lat["p50_us"].get<double>()) + " (" +
                                       format_ratio(lat["p50_ratio_to_solo"].get<double>()) +
                                       " one device alone)"});
    t.add_row({"sync latency p99", format_duration(lat["p99_us"].get<double>()) + " (" +
                                       format_ratio(lat["p99_ratio_to_solo"].get<double>()) +
                                       " one device alone)"});
    t.add_row({"one device alone, p50", format_duration(lat["solo_p50_us"].get<double>())});
    t.add_row({"connections cut before / after applying",
               count(cuts["before_apply"]) + " / " + count(cuts["after_apply"]) + " of " +
                   count(cuts["sync_requests"]) + " sync requests"});
    t.add_row({"syncs retried after a cut", count(cuts["failed_syncs_retried"])});
    t.add_row({"visits in the store", count(v["stored"]) + " of " + count(v["expected"])});
    t.add_row({"lost / doubled", std::to_string(v["lost"].get<std::int64_t>()) + " / " +
                                     std::to_string(v["doubled"].get<std::int64_t>())});
    t.add_row({"left unsynced / not pulled", std::to_string(v["unsynced"].get<std::int64_t>()) +
                                                 " / " +
                                                 std::to_string(v["not_pulled"].get<std::int64_t>())});
    t.print(std::cout);
    std::cout << '\n';
    if (r["all_pass"].get<bool>()) {
        std::cout << "every visit stored exactly once and pulled by every colleague's tablet\n";
    } else {
        std::cout << "FAILED: changes were lost, doubled or left behind";
        if (!v["first_error"].get<std::string>().empty())
            std::cout << " (first device error: " << v["first_error"].get<std::string>() << ")";
        std::cout << '\n';
    }
}

Status measure(const LoadOptions& o, const ScratchDir& dir, LoadFigures& f,
               std::unique_ptr<LoopbackStore>& store) {
    LoopbackStoreOptions store_options;
    store_options.path = dir.file("store.db");
    store_options.threads = static_cast<std::size_t>(o.server_threads);
    store_options.max_connections = static_cast<std::size_t>(o.devices) + 16;
    store_options.cut_seed = o.seed;
    FC_ASSIGN(store, LoopbackStore::start(store_options));
    FC_ASSIGN(auto devices, set_up_devices(*store, dir, o));

    progress("baseline: one device syncing alone...");
    {
        LoadOptions solo_options = o;
        solo_options.devices = 1;
        solo_options.consultants = 1;
        ScratchDir solo_dir;
        FC_ASSIGN(auto solo, set_up_devices(*store, solo_dir, solo_options));
        solo.front()->baseline = true;
        FC_ASSIGN(f.solo_us, solo_syncs(*store, *solo.front(), o));
    }

    store->set_cut_share(o.cut_share);
    progress(std::to_string(o.devices) + " devices syncing at once...");
    std::latch start(static_cast<std::ptrdiff_t>(devices.size()) + 1);
    std::vector<std::thread> threads;
    for (auto& d : devices)
        threads.emplace_back([&, device = d.get()] { run_device(*device, *store, o, start); });
    const auto started = std::chrono::steady_clock::now();
    start.count_down();
    for (auto& t : threads) t.join();
    f.wall_us = elapsed_us(started);
    store->set_cut_share(0);

    for (const auto& d : devices) {
        f.sync_us.insert(f.sync_us.end(), d->sync_us.begin(), d->sync_us.end());
        f.pushed += d->pushed;
        f.pulled += d->pulled;
        f.failed_attempts += d->failed_attempts;
        if (d->error) {
            if (f.device_errors++ == 0)
                f.first_error = "tablet " + std::to_string(d->index) + ": " + d->error->describe();
        }
    }
    FC_ASSIGN(f.verdict, verify(*store, devices, o));
    return ok_status();
}

int run_load(const LoadOptions& options, const CommonOptions& common) {
    LoadOptions o = options;
    if (common.quick) {
        o.devices = std::min(o.devices, 20);
        o.consultants = std::min(o.consultants, 5);
        o.changes = std::min(o.changes, 10);
        o.rounds = std::min(o.rounds, 2);
    }
    o.consultants = std::min(o.consultants, o.devices);
    o.rounds = std::min(o.rounds, o.changes);
    ScratchDir dir(o.dir);
    LoadFigures f;
    std::unique_ptr<LoopbackStore> store;
    if (auto measured = measure(o, dir, f, store); !measured.ok()) {
        std::cerr << "forecourt-bench load: " << measured.error().describe() << '\n';
        return 2;
    }
    const auto report = report_json(o, common.quick, f, store->cuts());
    if (common.json)
        std::cout << report.dump(2) << '\n';
    else
        print_report(report);
    return report["all_pass"].get<bool>() ? 0 : 1;
}

Runner configure_load(CLI::App& command) {
    auto o = std::make_shared<LoadOptions>();
    command.add_option("--devices", o->devices, "simulated tablets, one connection each (--quick: 20)")
        ->check(CLI::Range(1, 1'000))->capture_default_str();
    command.add_option("--consultants", o->consultants, "consultants the tablets belong to (--quick: 5)")
        ->check(CLI::Range(1, 1'000))->capture_default_str();
    command.add_option("--changes", o->changes, "visits each tablet records and pushes (--quick: 10)")
        ->check(CLI::Range(1, 10'000))->capture_default_str();
    command.add_option("--syncs", o->rounds, "syncs each tablet makes, its visits spread over them (--quick: 2)")
        ->check(CLI::Range(1, 1'000))->capture_default_str();
    command.add_option("--cut-share", o->cut_share,
                       "share of sync requests whose connection the store cuts, half before and half after applying")
        ->check(CLI::Range(0.0, 0.5))->capture_default_str();
    command.add_option("--server-threads", o->server_threads, "the store server's threads")
        ->check(CLI::Range(1, 64))->capture_default_str();
    command.add_option("--seed", o->seed, "seed of the cuts")->capture_default_str();
    command.add_option("--dir", o->dir, "keep the databases here (default: a temporary directory)");
    command.footer(
        "Exit status: 0 when every change was stored exactly once and pulled everywhere; "
        "1 when a change was lost, doubled or left behind; 2 on an error.");
    return [o](const CommonOptions& common) { return run_load(*o, common); };
}

const Registration kRegistration{
    {"load", "many tablets syncing at once, connections cut mid-request: throughput, latency, nothing lost",
     &configure_load}};

}  // namespace
}  // namespace forecourt::bench::load_bench
