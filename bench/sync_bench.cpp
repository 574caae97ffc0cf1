// `forecourt-bench sync`: initial pull, push, scaling, the tablet's memory, delta
// sync and poke latency, over TLS on the loopback against the real store server.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <random>

#include "bench_util.hpp"
#include "forecourt/fixtures/book_generator.hpp"
#include "forecourt/sync/net/event_socket.hpp"
#include "registry.hpp"
#include "sync_floor.hpp"
#include "sync_pull.hpp"
#include "sync_harness.hpp"

// A namespace of its own: the benchmarks are compiled in one unity batch.
namespace forecourt::bench::sync_bench {
namespace {

constexpr double kPullTarget = 3.0, kPushTarget = 4.0, kScaleTarget = 5.5, kDeltaTarget = 2.0;
constexpr double kRssTargetMib = 64;

struct SyncBenchOptions {
    int customers = 2'000;
    int scale = 5;
    double contacts_per_customer = 10;
    int pull_repetitions = 3;  // pulls of each book, and floors, their medians kept
    int delta_repetitions = 15;
    int latency_samples = 50;
    std::uint64_t seed = 20'251'124;
    std::string dir;
    // The pulling child process (internal): enrols a new book with a code and pulls.
    bool pull_child = false;
    int child_port = 0;
    std::string child_pin, child_code, child_book;
};

struct GeneratedTablet {
    std::unique_ptr<platform::ManualClock> clock;
    fixtures::GeneratedBook generated;
    BenchTablet tablet;
};

Result<GeneratedTablet> generate(const ScratchDir& dir, const std::string& name, int customers,
                                 const SyncBenchOptions& o) {
    progress("generating the " + name + " book: " +
             format_count(static_cast<std::uint64_t>(customers)) + " customers...");
    GeneratedTablet g;
    fixtures::BookSpec spec;
    spec.customers = customers;
    spec.seed = o.seed;
    spec.contacts_per_customer = o.contacts_per_customer;
    g.clock = std::make_unique<platform::ManualClock>(spec.now, fixtures::kChinaUtcOffset);
    BookOptions options;
    options.path = dir.file(name + ".db");
    options.clock = g.clock.get();
    FC_ASSIGN(g.generated, fixtures::create_generated_book(options, *g.clock, spec));
    FC_ASSIGN(g.tablet, open_tablet(options));
    return g;
}

Result<double> timed_sync(BenchTablet& tablet, sync::Transport& transport) {
    const auto start = std::chrono::steady_clock::now();
    FC_TRY(tablet.client->sync(transport));
    return elapsed_us(start);
}

Status record_contacts(BenchTablet& t, platform::ManualClock* clock,
                       const std::vector<std::string>& customers, int round) {
    for (std::size_t i = 0; i < 10; ++i) {
        if (clock) clock->advance(60'000);
        ContactInput in{customers[(static_cast<std::size_t>(round) * 10 + i) % customers.size()],
                        "phone_call", "keep_in_touch", "客户已知悉", std::nullopt, std::nullopt,
                        std::nullopt, std::nullopt};
        FC_TRY(t.book->record_contact(in));
    }
    return ok_status();
}

Result<std::vector<std::string>> seed_prospects(BenchTablet& t, int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
        ProspectInput p;
        p.name = "王" + std::to_string(i);
        p.phones = {"139" + std::to_string(10'000'000 + i)};
        p.grade = "B";
        p.source = "walk_in";
        FC_ASSIGN(auto id, t.book->register_prospect(p));
        ids.push_back(id);
    }
    return ids;
}

struct Delta {
    Comparison comparison;  // baseline: the empty book; subject: the full one
};

// 10 contacts recorded then synced, on the full book and on an almost empty
// one, alternately; the medians of the syncs.
Result<Delta> measure_delta(GeneratedTablet& full, BenchTablet& empty, sync::Transport& full_link,
                            sync::Transport& empty_link, int repetitions) {
    std::vector<std::string> full_ids;
    for (const auto& c : full.generated.customers) full_ids.push_back(c.id);
    std::shuffle(full_ids.begin(), full_ids.end(), std::mt19937_64(7));
    FC_ASSIGN(auto empty_ids, seed_prospects(empty, 10));
    FC_TRY(empty.client->sync(empty_link));
    std::vector<double> full_us, empty_us;
    for (int rep = 0; rep < repetitions; ++rep) {
        FC_TRY(record_contacts(full.tablet, full.clock.get(), full_ids, rep));
        FC_TRY(record_contacts(empty, nullptr, empty_ids, rep));
        FC_ASSIGN(double a, timed_sync(full.tablet, full_link));
        FC_ASSIGN(double b, timed_sync(empty, empty_link));
        full_us.push_back(a);
        empty_us.push_back(b);
    }
    Delta d;
    d.comparison = {median(empty_us), median(full_us), kDeltaTarget};
    return d;
}

// A change synced by the writer reaches the watcher: the watcher's socket is
// poked, it syncs, and the change is in its book. Timed from the writer's sync.
Result<std::vector<double>> measure_latency(GeneratedTablet& writer, sync::Transport& writer_link,
                                            BenchTablet& watcher, sync::Transport& watcher_link,
                                            LoopbackStore& store, int samples) {
    sync::net::EventSocketOptions options;
    options.connection = store.client_options();
    FC_ASSIGN(options.bearer_token, watcher.token());
    FC_ASSIGN(auto socket, sync::net::EventSocket::open(options));
    std::vector<std::string> ids;
    for (const auto& c : writer.generated.customers) ids.push_back(c.id);
    std::vector<double> out;
    for (int i = 0; i < samples; ++i) {
        while (socket->wait_message(std::chrono::milliseconds(0))) {
        }
        FC_TRY(record_contacts(writer.tablet, writer.clock.get(), ids, i));
        const auto start = std::chrono::steady_clock::now();
        FC_TRY(writer.tablet.client->sync(writer_link));
        if (!socket->wait_message(std::chrono::seconds(5)))
            return make_error(ErrorCode::offline, "the watching tablet was not poked");
        FC_ASSIGN(auto summary, watcher.client->sync(watcher_link));
        out.push_back(elapsed_us(start));
        if (summary.pulled == 0)
            return make_error(ErrorCode::internal, "the poked tablet pulled nothing");
    }
    return out;
}

BookOptions book_at(const std::string& path) {
    BookOptions options;
    options.path = path;
    return options;
}

struct Figures {
    fixtures::GeneratedBook normal, large;
    FloorResult floor;                 // its time: the median of floor_samples_us
    std::vector<double> floor_samples_us;
    PullSeries pull, large_pull;
    double push_us = 0;
    Delta delta;
    std::vector<double> latency_us;
};

Json report_json(const SyncBenchOptions& o, bool quick, const Figures& f) {
    const auto book = [](const fixtures::GeneratedBook& g, int customers) {
        return Json{{"customers", customers}, {"contacts", g.contacts}, {"follow_ups", g.follow_ups}};
    };
    const Comparison pull{f.floor.us, f.pull.us(), kPullTarget}, push{f.floor.us, f.push_us, kPushTarget};
    const Comparison scale{f.pull.us(), f.large_pull.us(), kScaleTarget};
    const double rss_mib = static_cast<double>(std::max(f.pull.rss_kib, f.large_pull.rss_kib)) / 1024;
    const auto ratio = [](const Comparison& c) {
        return Json{{"baseline_us", c.baseline_us}, {"subject_us", c.subject_us},
                    {"ratio", c.ratio()}, {"target", c.target}, {"pass", c.pass()}};
    };
    Json out{{"benchmark", "sync"}, {"quick", quick}, {"seed", o.seed}, {"transport", "https+wss 127.0.0.1"}};
    out["books"] = {{"normal", book(f.normal, o.customers)}, {"large", book(f.large, o.customers * o.scale)}};
    out["floor"] = {{"records", f.floor.records}, {"us", f.floor.us}, {"samples_us", f.floor_samples_us}};
    out["pull"] = ratio(pull);
    out["pull"]["records_pulled"] = f.pull.pulled;
    out["pull"]["samples_us"] = f.pull.samples_us;
    out["push"] = ratio(push);
    out["large_pull"] = ratio(scale);
    out["large_pull"]["records_pulled"] = f.large_pull.pulled;
    out["large_pull"]["samples_us"] = f.large_pull.samples_us;
    out["peak_rss"] = {{"normal_kib", f.pull.rss_kib}, {"large_kib", f.large_pull.rss_kib},
                       {"target_mib", kRssTargetMib}, {"pass", rss_mib <= kRssTargetMib}};
    out["delta"] = ratio(f.delta.comparison);
    out["poke_latency"] = {{"samples", f.latency_us.size()}, {"p50_us", percentile(f.latency_us, 0.5)},
                           {"p99_us", percentile(f.latency_us, 0.99)}};
    out["all_pass"] = pull.pass() && push.pass() && scale.pass() && f.delta.comparison.pass() &&
                      rss_mib <= kRssTargetMib;
    return out;
}

void print_report(const Json& r) {
    Table t({"figure", "measured", "compared with", "ratio", "target", "result"});
    const auto row = [&t](const std::string& label, const Json& c, const std::string& base) {
        t.add_row({label, format_duration(c["subject_us"].get<double>()),
                   base + " " + format_duration(c["baseline_us"].get<double>()),
                   format_ratio(c["ratio"].get<double>()), "≤ " + format_ratio(c["target"].get<double>()),
                   c["pass"].get<bool>() ? "pass" : "MISS"});
    };
    row("initial pull", r["pull"], "floor");
    row("push of the book", r["push"], "floor");
    row("pull of the 5x book", r["large_pull"], "pull");
    row("delta sync, full book", r["delta"], "empty book");
    const auto& rss = r["peak_rss"];
    t.add_row({"tablet peak RSS", format_count(rss["large_kib"].get<std::uint64_t>() / 1024) + " MiB (5x)",
               format_count(rss["normal_kib"].get<std::uint64_t>() / 1024) + " MiB (1x)", "",
               "≤ 64 MiB", rss["pass"].get<bool>() ? "pass" : "MISS"});
    const auto& lat = r["poke_latency"];
    t.add_row({"poke → synced p50", format_duration(lat["p50_us"].get<double>()), "", "", "", ""});
    t.add_row({"poke → synced p99", format_duration(lat["p99_us"].get<double>()), "", "", "", ""});
    t.print(std::cout);
    std::cout << '\n' << (r["all_pass"].get<bool>() ? "every target met" : "a target was missed") << '\n';
}

int fail(const Error& error) {
    std::cerr << "forecourt-bench sync: " << error.describe() << '\n';
    return 2;
}

// New tablets pull the book, each followed by the floor of what it pulled, so
// the machine's slower and faster stretches fall on both alike.
Status measure_pulls(LoopbackStore& store, const std::string& consultant, const ScratchDir& dir,
                     int repetitions, Figures& f) {
    for (int rep = 0; rep < repetitions; ++rep) {
        const std::string n = std::to_string(rep);
        progress("pull into a new tablet (child process), " + std::to_string(rep + 1) + " of " +
                 std::to_string(repetitions) + "...");
        FC_ASSIGN(auto pull, pull_in_child(store, consultant, dir.file("pulled-" + n + ".db")));
        f.pull.add(pull);
        FC_ASSIGN(f.floor, measure_floor(dir.file("pulled-" + n + ".db"), dir.file("floor-" + n + ".db")));
        f.floor_samples_us.push_back(f.floor.us);
    }
    f.floor.us = median(f.floor_samples_us);
    return ok_status();
}

// A book --scale times larger, loaded into the store in-process (not timed),
// then pulled by new tablets as the normal one is.
Status measure_large_pulls(LoopbackStore& store, const SyncBenchOptions& o, const ScratchDir& dir,
                           Figures& f) {
    FC_ASSIGN(auto large, generate(dir, "large", o.customers * o.scale, o));
    f.large = large.generated;
    FC_ASSIGN(auto owner, store.add_consultant("李娜"));
    DirectTransport direct(store.service());
    FC_ASSIGN(auto large_code, store.issue_code(owner));
    FC_TRY(large.tablet.enrol(direct, large_code, store.url(), store.fingerprint()));
    progress("loading the large book into the store...");
    FC_TRY(large.tablet.client->sync(direct));
    for (int rep = 0; rep < o.pull_repetitions; ++rep) {
        progress("pull of the large book (child process), " + std::to_string(rep + 1) + " of " +
                 std::to_string(o.pull_repetitions) + "...");
        FC_ASSIGN(auto large_pull, pull_in_child(store, owner,
                                                 dir.file("large_pulled-" + std::to_string(rep) + ".db")));
        f.large_pull.add(large_pull);
    }
    return ok_status();
}

Status measure_all(const SyncBenchOptions& o, const ScratchDir& dir, Figures& f) {
    LoopbackStoreOptions store_options;
    store_options.path = dir.file("store.db");
    FC_ASSIGN(auto store, LoopbackStore::start(store_options));
    FC_ASSIGN(auto writer, generate(dir, "normal", o.customers, o));
    f.normal = writer.generated;
    FC_ASSIGN(auto consultant, store->add_consultant("陈静"));
    HttpsTransport writer_link(store->client_options());
    FC_ASSIGN(auto code, store->issue_code(consultant));
    FC_TRY(writer.tablet.enrol(writer_link, code, store->url(), store->fingerprint()));
    progress("push of the book over TLS...");
    FC_ASSIGN(f.push_us, timed_sync(writer.tablet, writer_link));
    FC_TRY(measure_pulls(*store, consultant, dir, o.pull_repetitions, f));
    FC_TRY(measure_large_pulls(*store, o, dir, f));
    progress("delta sync...");
    FC_ASSIGN(auto empty_owner, store->add_consultant("张伟"));
    FC_ASSIGN(auto empty, create_tablet(book_at(dir.file("empty.db")), "empty"));
    HttpsTransport empty_link(store->client_options());
    FC_ASSIGN(auto empty_code, store->issue_code(empty_owner));
    FC_TRY(empty.enrol(empty_link, empty_code, store->url(), store->fingerprint()));
    FC_ASSIGN(f.delta, measure_delta(writer, empty, writer_link, empty_link, o.delta_repetitions));
    progress("poke latency...");
    FC_ASSIGN(auto watcher, create_tablet(book_at(dir.file("watcher.db")), "watcher"));
    HttpsTransport watcher_link(store->client_options());
    FC_ASSIGN(auto watcher_code, store->issue_code(consultant));
    FC_TRY(watcher.enrol(watcher_link, watcher_code, store->url(), store->fingerprint()));
    FC_TRY(watcher.client->sync(watcher_link));
    FC_ASSIGN(f.latency_us, measure_latency(writer, writer_link, watcher, watcher_link, *store,
                                            o.latency_samples));
    return ok_status();
}

int run_sync(const SyncBenchOptions& options, const CommonOptions& common) {
    if (options.pull_child)
        return run_pull_child({options.child_port, options.child_pin, options.child_code, options.child_book});
    SyncBenchOptions o = options;
    if (common.quick) {
        o.customers = std::min(o.customers, 200);
        o.delta_repetitions = std::min(o.delta_repetitions, 5);
        o.pull_repetitions = 1;
        o.latency_samples = std::min(o.latency_samples, 10);
    }
    ScratchDir dir(o.dir);
    Figures f;
    if (auto measured = measure_all(o, dir, f); !measured.ok()) return fail(measured.error());
    const auto report = report_json(o, common.quick, f);
    if (common.json)
        std::cout << report.dump(2) << '\n';
    else
        print_report(report);
    return report["all_pass"].get<bool>() || common.quick ? 0 : 1;
}

Runner configure_sync(CLI::App& command) {
    auto o = std::make_shared<SyncBenchOptions>();
    command.add_option("--customers", o->customers, "customers in the book (--quick: at most 200)")
        ->check(CLI::Range(10, 1'000'000))->capture_default_str();
    command.add_option("--scale", o->scale, "how many times larger the large book is")
        ->check(CLI::Range(2, 100))->capture_default_str();
    command.add_option("--contacts-per-customer", o->contacts_per_customer, "mean contacts per customer")
        ->check(CLI::Range(1.0, 50.0))->capture_default_str();
    command.add_option("--pull-repetitions", o->pull_repetitions,
                       "pulls of each book, and floors, their medians kept (--quick: 1)")
        ->check(CLI::Range(1, 100))->capture_default_str();
    command.add_option("--delta-repetitions", o->delta_repetitions, "delta syncs per book")
        ->check(CLI::Range(1, 1000))->capture_default_str();
    command.add_option("--latency-samples", o->latency_samples, "poke round trips timed")
        ->check(CLI::Range(1, 10'000))->capture_default_str();
    command.add_option("--seed", o->seed, "seed of the generated books")->capture_default_str();
    command.add_option("--dir", o->dir, "keep the databases here (default: a temporary directory)");
    command.add_flag("--pull-child", o->pull_child)->group("");
    command.add_option("--child-port", o->child_port)->group("");
    command.add_option("--child-pin", o->child_pin)->group("");
    command.add_option("--child-code", o->child_code)->group("");
    command.add_option("--child-book", o->child_book)->group("");
    command.footer(
        "Exit status: 0 when every figure is within its target (always, with --quick), 1 when "
        "one is missed, 2 on an error.");
    return [o](const CommonOptions& common) { return run_sync(*o, common); };
}

const Registration kRegistration{
    {"sync", "pull, push, scaling, tablet memory, delta sync and poke latency over TLS on loopback",
     &configure_sync}};

}  // namespace
}  // namespace forecourt::bench::sync_bench
