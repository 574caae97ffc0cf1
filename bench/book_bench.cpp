// `forecourt-bench book`: how the consultant's everyday operations scale from a
// small book to a large one (10×), measured on generated books in one run.
#include <CLI/CLI.hpp>

#include <array>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>

#include "bench_util.hpp"
#include "forecourt/core/book.hpp"
#include "forecourt/fixtures/book_generator.hpp"
#include "registry.hpp"

// A namespace of its own: the benchmarks are compiled in one unity batch.
namespace forecourt::bench::book_bench {
namespace {

constexpr int kSearchLimit = 20;  // one screen of search results

struct BookBenchOptions {
    int small = 2'000;
    int large = 20'000;
    std::uint64_t seed = 20'251'124;
    std::string dir;  // empty: a temporary directory, removed at the end
};

// One generated book, reopened as the tablet opens it (synchronous=FULL).
struct BookUnderTest {
    std::string label;
    int customers = 0;
    std::unique_ptr<platform::ManualClock> clock;
    std::unique_ptr<Book> book;
    fixtures::GeneratedBook generated;
    double generate_ms = 0;
    std::uintmax_t file_bytes = 0;
    std::vector<std::size_t> sample;  // customer indexes in a seeded random order

    const fixtures::GeneratedCustomer& pick(std::size_t rep) const {
        return generated.customers[sample[rep % sample.size()]];
    }
};

// One operation of the consultant's day, timed on both books.
struct Operation {
    std::string_view key;    // in the JSON
    std::string_view label;  // in the table
    double target;           // the largest acceptable large/small ratio
    int repetitions;
    int quick_repetitions;
    // One call; returns how many items it produced (agenda lines, results, ...).
    std::function<Result<std::size_t>(BookUnderTest&, std::size_t rep)> run;
};

struct Measured {
    const Operation* op = nullptr;
    int repetitions = 0;
    Comparison comparison;
    std::size_t small_items = 0, large_items = 0;
};

Result<BookUnderTest> prepare_book(const ScratchDir& dir, std::string label, int customers,
                                   std::uint64_t seed) {
    progress("generating the " + label +
             " book: " + format_count(static_cast<std::uint64_t>(customers)) + " customers...");
    BookUnderTest b;
    b.label = std::move(label);
    b.customers = customers;
    fixtures::BookSpec spec;
    spec.customers = customers;
    spec.seed = seed;
    b.clock = std::make_unique<platform::ManualClock>(spec.now, fixtures::kChinaUtcOffset);
    BookOptions options;
    options.path = dir.file(b.label + ".db");
    options.clock = b.clock.get();
    const auto start = std::chrono::steady_clock::now();
    FC_ASSIGN(b.generated, fixtures::create_generated_book(options, *b.clock, spec));
    b.generate_ms = elapsed_us(start) / 1e3;
    b.file_bytes = std::filesystem::file_size(options.path);
    FC_ASSIGN(b.book, Book::open(options));
    b.sample.resize(b.generated.customers.size());
    for (std::size_t i = 0; i < b.sample.size(); ++i) b.sample[i] = i;
    std::shuffle(b.sample.begin(), b.sample.end(), std::mt19937_64(seed));
    return b;
}

// The commonest surnames of a book: prefixes that fill a screen of results in
// both books, so the two searches return as much and only the lookup differs.
std::vector<std::string> common_surnames(const fixtures::GeneratedBook& book) {
    std::map<std::string, int> counts;
    for (const auto& c : book.customers) {
        const auto lead = static_cast<unsigned char>(c.name[0]);
        const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        ++counts[c.name.substr(0, length)];
    }
    std::vector<std::pair<int, std::string>> ranked;
    for (const auto& [surname, n] : counts) ranked.emplace_back(-n, surname);
    std::sort(ranked.begin(), ranked.end());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ranked.size() && i < 5; ++i) out.push_back(ranked[i].second);
    return out;
}

std::vector<Operation> operations(std::vector<std::string> surnames) {
    auto names = std::make_shared<std::vector<std::string>>(std::move(surnames));
    return {
        {"agenda", "agenda for a day", 12, 7, 3,
         [](BookUnderTest& b, std::size_t) -> Result<std::size_t> {
             FC_ASSIGN(auto agenda, b.book->agenda(b.generated.today));
             return agenda.size();
         }},
        {"search_phone", "search by phone", 2, 200, 30,
         [](BookUnderTest& b, std::size_t rep) -> Result<std::size_t> {
             FC_ASSIGN(auto found, b.book->find(b.pick(rep).phone, kSearchLimit));
             if (found.size() != 1)
                 return make_error(ErrorCode::internal,
                                   "phone " + b.pick(rep).phone + " not found once");
             return found.size();
         }},
        {"search_name", "search by name prefix", 2, 200, 30,
         [names](BookUnderTest& b, std::size_t rep) -> Result<std::size_t> {
             FC_ASSIGN(auto found, b.book->find((*names)[rep % names->size()], kSearchLimit));
             return found.size();
         }},
        {"card", "open a customer card", 2, 100, 20,
         [](BookUnderTest& b, std::size_t rep) -> Result<std::size_t> {
             FC_ASSIGN(auto card, b.book->card(b.pick(rep).id));
             return card.timeline.size();
         }},
        {"record_contact", "record a contact (FULL)", 2, 30, 10,
         [](BookUnderTest& b, std::size_t rep) -> Result<std::size_t> {
             b.clock->advance(60'000);
             ContactInput in{b.pick(b.sample.size() - 1 - rep).id,
                             "phone_call",
                             "keep_in_touch",
                             "客户已知悉",
                             std::nullopt,
                             std::nullopt,
                             std::nullopt,
                             std::nullopt};
             FC_TRY(b.book->record_contact(in));
             return std::size_t{1};
         }},
    };
}

// Interleaves the two books (alternating which goes first) so that load from
// other processes falls on both alike; one untimed call each warms caches.
Result<Measured> measure(const Operation& op, bool quick, BookUnderTest& small,
                         BookUnderTest& large) {
    Measured m;
    m.op = &op;
    m.repetitions = quick ? op.quick_repetitions : op.repetitions;
    m.comparison.target = op.target;
    FC_TRY(op.run(small, 0));
    FC_TRY(op.run(large, 0));
    std::array<std::vector<double>, 2> samples;
    for (int rep = 1; rep <= m.repetitions; ++rep) {
        for (int turn = 0; turn < 2; ++turn) {
            const int side = (rep + turn) % 2;
            auto& b = side == 0 ? small : large;
            const auto start = std::chrono::steady_clock::now();
            auto items = op.run(b, static_cast<std::size_t>(rep));
            samples[side].push_back(elapsed_us(start));
            if (!items.ok()) return items.take_error();
            (side == 0 ? m.small_items : m.large_items) = *items;
        }
    }
    m.comparison.baseline_us = median(samples[0]);
    m.comparison.subject_us = median(samples[1]);
    return m;
}

Result<std::string> synchronous_mode(Book& book) {
    FC_ASSIGN(auto q, storage::Query::prepare(book.db(), "PRAGMA synchronous"));
    FC_ASSIGN(bool row, q->step());
    static constexpr std::array<std::string_view, 4> kModes{"off", "normal", "full", "extra"};
    const auto mode = row ? q->int64(0) : -1;
    return mode >= 0 && mode < 4 ? std::string(kModes[static_cast<std::size_t>(mode)]) : "unknown";
}

Json book_json(BookUnderTest& b) {
    const auto& g = b.generated;
    auto sync = synchronous_mode(*b.book);
    return Json{{"customers", b.customers},
                {"contacts", g.contacts},
                {"test_drives", g.test_drives},
                {"follow_ups", g.follow_ups},
                {"vehicles", g.vehicles},
                {"events", g.events},
                {"file_bytes", b.file_bytes},
                {"generate_ms", b.generate_ms},
                {"synchronous", sync.ok() ? *sync : "unknown"},
                {"today", g.today.to_string()}};
}

Json report_json(const BookBenchOptions& o, bool quick, BookUnderTest& small, BookUnderTest& large,
                 const std::vector<Measured>& results) {
    Json out{
        {"benchmark", "book"}, {"quick", quick}, {"seed", o.seed}, {"search_limit", kSearchLimit}};
    out["books"] = Json{{"small", book_json(small)}, {"large", book_json(large)}};
    bool all_pass = true;
    Json ops = Json::object();
    for (const auto& m : results) {
        const auto& c = m.comparison;
        ops[std::string(m.op->key)] =
            Json{{"repetitions", m.repetitions}, {"small_us", c.baseline_us},
                 {"large_us", c.subject_us},     {"small_items", m.small_items},
                 {"large_items", m.large_items}, {"ratio", c.ratio()},
                 {"target", c.target},           {"pass", c.pass()}};
        all_pass = all_pass && c.pass();
    }
    out["operations"] = ops;
    out["all_pass"] = all_pass;
    return out;
}

void print_report(BookUnderTest& small, BookUnderTest& large,
                  const std::vector<Measured>& results) {
    Table books(
        {"book", "customers", "contacts", "follow-ups", "vehicles", "file", "generated in"});
    for (auto* b : {&small, &large}) {
        books.add_row({b->label, format_count(static_cast<std::uint64_t>(b->customers)),
                       format_count(b->generated.contacts), format_count(b->generated.follow_ups),
                       format_count(b->generated.vehicles),
                       format_count(b->file_bytes / 1024) + " KiB",
                       format_duration(b->generate_ms * 1e3)});
    }
    books.print(std::cout);
    std::cout << '\n';
    Table ops(
        {"operation (median)", "small", "large", "items s/l", "large/small", "target", "result"});
    bool all_pass = true;
    for (const auto& m : results) {
        const auto& c = m.comparison;
        ops.add_row({std::string(m.op->label), format_duration(c.baseline_us),
                     format_duration(c.subject_us),
                     std::to_string(m.small_items) + "/" + std::to_string(m.large_items),
                     format_ratio(c.ratio()), "≤ " + format_ratio(c.target),
                     c.pass() ? "pass" : "MISS"});
        all_pass = all_pass && c.pass();
    }
    ops.print(std::cout);
    std::cout << '\n'
              << (all_pass ? "every ratio within its target" : "a ratio missed its target") << '\n';
}

int fail(const Error& error) {
    std::cerr << "forecourt-bench book: " << error.describe() << '\n';
    return 2;
}

int run_book(const BookBenchOptions& options, const CommonOptions& common) {
    BookBenchOptions o = options;
    if (common.quick) {
        o.small = std::min(o.small, 200);
        o.large = std::min(o.large, 2'000);
    }
    ScratchDir dir(o.dir);
    auto small = prepare_book(dir, "small", o.small, o.seed);
    if (!small.ok()) return fail(small.error());
    auto large = prepare_book(dir, "large", o.large, o.seed);
    if (!large.ok()) return fail(large.error());
    std::vector<Measured> results;
    const auto ops = operations(common_surnames(small->generated));
    for (const auto& op : ops) {
        progress("timing: " + std::string(op.label));
        auto m = measure(op, common.quick, *small, *large);
        if (!m.ok()) return fail(m.error());
        results.push_back(*m);
    }
    const auto report = report_json(o, common.quick, *small, *large, results);
    if (common.json)
        std::cout << report.dump(2) << '\n';
    else
        print_report(*small, *large, results);
    return report["all_pass"].get<bool>() || common.quick ? 0 : 1;
}

Runner configure_book(CLI::App& command) {
    auto options = std::make_shared<BookBenchOptions>();
    command
        .add_option("--small", options->small, "customers in the small book (--quick: at most 200)")
        ->check(CLI::Range(1, 1'000'000))
        ->capture_default_str();
    command
        .add_option("--large", options->large,
                    "customers in the large book (--quick: at most 2,000)")
        ->check(CLI::Range(1, 1'000'000))
        ->capture_default_str();
    command.add_option("--seed", options->seed, "seed of the generated books")
        ->capture_default_str();
    command.add_option("--dir", options->dir,
                       "generate the books here and keep them (default: a temporary directory)");
    command.footer(
        "Exit status: 0 when every ratio is within its target (always, with --quick), 1 when one "
        "is missed, 2 on an error.");
    return [options](const CommonOptions& common) { return run_book(*options, common); };
}

const Registration kRegistration{
    {"book", "agenda, search, card and recording a contact on a small and a 10x larger book",
     &configure_book}};

}  // namespace
}  // namespace forecourt::bench::book_bench
