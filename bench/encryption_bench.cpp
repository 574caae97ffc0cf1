// `forecourt-bench encryption`: what encryption at rest costs, measured on a
// plain and an encrypted book side by side in one run (same code path for both).
#include <CLI/CLI.hpp>

#include <array>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <random>

#include "bench_util.hpp"
#include "encryption_report.hpp"
#include "forecourt/core/book.hpp"
#include "forecourt/core/crypto/book_vault.hpp"
#include "forecourt/core/storage/transaction.hpp"
#include "forecourt/core/uuid.hpp"
#include "registry.hpp"

// A namespace of its own: the benchmarks are compiled in one unity batch.
namespace forecourt::bench::encryption_bench {
namespace {

using nlohmann::json;

// One side of the comparison: where its books live and how they are keyed.
struct Variant {
    std::string label;  // "plain" or "encrypted"
    bool encrypted = false;
    platform::PassphraseKeyStore keys{"bench passphrase"};
};

BookOptions options_at(const ScratchDir& dir, const std::string& name) {
    BookOptions options;
    options.path = dir.file(name + ".db");
    return options;
}

Result<std::unique_ptr<Book>> create_book(Variant& v, const BookOptions& options) {
    const NewBook who{"李娜", "", ""};
    if (!v.encrypted) return Book::create(options, who);
    return crypto::create_encrypted_book(options, v.keys, who);
}

// Options that open the book without running Argon2id again (the key stays
// unlocked in the options' VFS session), so reopening measures SQLite only.
Result<BookOptions> unlocked(Variant& v, BookOptions options) {
    if (!v.encrypted) return options;
    return crypto::unlock_book(std::move(options), v.keys);
}

// Runs `work` for both variants `repetitions` times, alternating which goes
// first so load from other processes falls on both alike; medians per side,
// and the median of each repetition's encrypted/plain ratio (see paired()).
Result<Comparison> interleaved(std::array<Variant, 2>& variants, int repetitions, double target,
                               const std::function<Result<double>(Variant&, int rep)>& work) {
    std::array<std::vector<double>, 2> samples;
    for (int rep = 0; rep < repetitions; ++rep) {
        for (int turn = 0; turn < 2; ++turn) {
            const auto side = static_cast<std::size_t>((rep + turn) % 2);
            FC_ASSIGN(double us, work(variants[side], rep));
            samples[side].push_back(us);
        }
    }
    return paired(samples[0], samples[1], target);
}

json contact_fields(const std::string& customer, const std::string& consultant, int i) {
    return {{"customer_id", customer}, {"consultant_id", consultant},
            {"at", 1'763'000'000'000 + i * 60'000LL}, {"kind", "phone_call"},
            {"purpose", "keep_in_touch"}, {"outcome", "客户已知悉，下周再联系"}};
}

// (b) A whole book written through the change capture (the path every Book
// write takes) inside one transaction.
Status fill_book(Book& book, const Sizes& s, std::vector<std::string>& ids) {
    FC_ASSIGN(auto tx, storage::Transaction::begin(book.db()));
    const auto& owner = book.identity().consultant_id;
    const auto* customers = model::find_table("customers");
    const auto* contacts = model::find_table("contacts");
    const auto* follow_ups = model::find_table("follow_ups");
    const platform::EpochMs now = 1'763'000'000'000;
    ids.clear();
    for (int i = 0; i < s.customers; ++i) {
        ids.push_back(new_uuid_v7(now + i));
        const json fields{{"kind", "prospect"}, {"name", "客户" + std::to_string(i)},
                          {"phones", {std::to_string(13'800'000'000LL + i)}}, {"grade", "B"},
                          {"status", "active"}, {"source", "walk_in"}, {"created_at", now + i}};
        FC_TRY(book.changes().write(tx, *customers, ids.back(), owner, fields));
    }
    for (int i = 0; i < s.contacts; ++i)
        FC_TRY(book.changes().write(tx, *contacts, new_uuid_v7(now + i), owner,
                                    contact_fields(ids[static_cast<std::size_t>(i) % ids.size()],
                                                   owner, i)));
    for (int i = 0; i < s.follow_ups; ++i) {
        const json fields{{"customer_id", ids[static_cast<std::size_t>(i) % ids.size()]},
                          {"consultant_id", owner}, {"due", "2025-12-01"},
                          {"kind", "phone_call"}, {"purpose", "promote_deal"},
                          {"status", "open"}};
        FC_TRY(book.changes().write(tx, *follow_ups, new_uuid_v7(now + i), owner, fields));
    }
    return tx.commit();
}

// The customers written by (b), per variant (plain, encrypted).
using CustomerIds = std::array<std::vector<std::string>, 2>;

// (a) `recorded` contacts per side and repetition, each Book::record_contact
// its own FULL transaction. Synced commits swing with the machine's storage
// from one second to the next, so the two sides alternate every
// `kRecordBlock` contacts (who goes first alternating too) rather than every
// repetition: both see the same storage, and a repetition's figure is the sum
// of its blocks.
constexpr int kRecordBlock = 250;

Result<Comparison> measure_record(std::array<Variant, 2>& variants, const ScratchDir& dir,
                                  const Sizes& s) {
    std::array<std::unique_ptr<Book>, 2> books;
    std::array<std::string, 2> customer;
    for (std::size_t i = 0; i < 2; ++i) {
        FC_ASSIGN(books[i], create_book(variants[i], options_at(dir, "record-" + variants[i].label)));
        FC_ASSIGN(customer[i], books[i]->register_prospect(
                                   {"王伟", {"13800138000"}, "B", "walk_in", {}, {}, {}, {}, {},
                                    {}, {}, {}}));
    }
    auto record = [&](std::size_t i, int count) -> Result<double> {
        const auto start = std::chrono::steady_clock::now();
        for (int n = 0; n < count; ++n)
            FC_TRY(books[i]->record_contact({customer[i], "phone_call", "keep_in_touch",
                                             "客户已知悉", {}, {}, {}, {}}));
        return elapsed_us(start);
    };
    std::array<std::vector<double>, 2> samples;
    for (int rep = 0, block = 0; rep < s.repetitions; ++rep) {
        std::array<double, 2> rep_us{};
        for (int done = 0; done < s.recorded; done += kRecordBlock, ++block) {
            const int count = std::min(kRecordBlock, s.recorded - done);
            for (int turn = 0; turn < 2; ++turn) {
                const auto side = static_cast<std::size_t>((block + turn) % 2);
                FC_ASSIGN(double us, record(side, count));
                rep_us[side] += us;
            }
        }
        for (std::size_t i = 0; i < 2; ++i) samples[i].push_back(rep_us[i]);
    }
    return paired(samples[0], samples[1], 1.10);
}

// (b) Fills a fresh book per repetition; the last one is kept for (c) and (d).
Result<Comparison> measure_bulk(std::array<Variant, 2>& variants, const ScratchDir& dir,
                                const Sizes& s, CustomerIds& ids) {
    return interleaved(variants, s.repetitions, 1.30, [&](Variant& v, int rep) -> Result<double> {
        const auto options = options_at(dir, "bulk-" + v.label);
        if (rep > 0) FC_TRY(crypto::wipe_book(options.path));
        FC_ASSIGN(auto book, create_book(v, options));
        const auto start = std::chrono::steady_clock::now();
        FC_TRY(fill_book(*book, s, ids[v.encrypted ? 1 : 0]));
        return elapsed_us(start);
    });
}

Result<double> full_scan(Book& book) {
    const auto start = std::chrono::steady_clock::now();
    FC_ASSIGN(auto q, storage::Query::prepare(
                          book.db(), "SELECT count(*), sum(length(outcome)) FROM contacts"));
    FC_ASSIGN(bool row, q->step());
    if (!row || q->int64(0) == 0) return make_error(ErrorCode::internal, "the scan read nothing");
    return elapsed_us(start);
}

Result<double> point_lookups(Book& book, const std::vector<std::string>& ids, int count) {
    std::mt19937_64 random(20'251'124);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i) FC_TRY(book.customer(ids[random() % ids.size()]));
    return elapsed_us(start);
}

// (c) Each figure three ways, on the book (b) wrote:
//  cold:     the book's files evicted from the OS page cache and a new
//            connection, so every page comes from the storage and (encrypted)
//            is authenticated and decrypted: the first screen after the
//            tablet has not opened the app for a while;
//  reopened: a new connection (SQLite's cache empty) over files the OS still
//            caches: every page read is a system call and a decryption;
//  warm:     the same read again on that connection (the median of
//            kWarmScanReads or kWarmLookupReads re-reads).
Status measure_reads(std::array<Variant, 2>& variants, const ScratchDir& dir, const Sizes& s,
                     const CustomerIds& ids, Results& r) {
    std::array<BookOptions, 2> options;
    for (std::size_t i = 0; i < 2; ++i) {
        FC_ASSIGN(options[i], unlocked(variants[i], options_at(dir, "bulk-" + variants[i].label)));
    }
    auto three_ways = [&](auto read, int warm_reads, Comparison& cold, Comparison& reopened,
                          Comparison& warm) -> Status {
        std::array<std::vector<double>, 2> warm_samples;
        FC_ASSIGN(cold, interleaved(variants, s.repetitions * kColdSamples, 1.30,
                                    [&](Variant& v, int) -> Result<double> {
                                        const std::size_t i = v.encrypted ? 1 : 0;
                                        for (const auto& suffix : {"", "-wal"}) {
                                            const auto file = options[i].path + suffix;
                                            if (std::filesystem::exists(file) && !evict_from_os_cache(file))
                                                return make_error(ErrorCode::storage,
                                                                  "cannot evict " + file + " from the OS page cache");
                                        }
                                        FC_ASSIGN(auto book, Book::open(options[i]));
                                        return read(*book, i);
                                    }));
        FC_ASSIGN(reopened, interleaved(variants, s.repetitions, 0,
                                        [&](Variant& v, int) -> Result<double> {
                                            const std::size_t i = v.encrypted ? 1 : 0;
                                            FC_ASSIGN(auto book, Book::open(options[i]));
                                            FC_ASSIGN(double first, read(*book, i));
                                            // Warm reads are short: the median of
                                            // several, so one preemption does not
                                            // decide the figure.
                                            std::vector<double> again;
                                            for (int n = 0; n < warm_reads; ++n) {
                                                FC_ASSIGN(double us, read(*book, i));
                                                again.push_back(us);
                                            }
                                            warm_samples[i].push_back(median(again));
                                            return first;
                                        }));
        warm = paired(warm_samples[0], warm_samples[1], 1.30);
        return ok_status();
    };
    FC_TRY(three_ways([](Book& b, std::size_t) { return full_scan(b); }, kWarmScanReads,
                      r.scan_cold, r.scan_reopened, r.scan_warm));
    FC_TRY(three_ways(
        [&](Book& b, std::size_t side) { return point_lookups(b, ids[side], s.lookups); },
        kWarmLookupReads, r.lookups_cold, r.lookups_reopened, r.lookups_warm));
    return ok_status();
}

// (d) Opening: Argon2id and the key checks (encrypted only), then SQLite's open.
Status measure_open(std::array<Variant, 2>& variants, const ScratchDir& dir, const Sizes& s,
                    Results& r) {
    std::vector<double> unlock, total;
    FC_ASSIGN(r.open_sqlite, interleaved(variants, s.repetitions, 0,
                                         [&](Variant& v, int) -> Result<double> {
        const auto start = std::chrono::steady_clock::now();
        FC_ASSIGN(auto options, unlocked(v, options_at(dir, "bulk-" + v.label)));
        const double unlock_us = elapsed_us(start);
        const auto opened = std::chrono::steady_clock::now();
        FC_ASSIGN(auto book, Book::open(options));
        const double open_us = elapsed_us(opened);
        if (v.encrypted) {
            unlock.push_back(unlock_us);
            total.push_back(elapsed_us(start));
        }
        return open_us;
    }));
    r.unlock_us = median(unlock);
    r.open_encrypted_us = median(total);
    return ok_status();
}

Result<Results> run_all(std::array<Variant, 2>& variants, const ScratchDir& dir, const Sizes& s) {
    Results r;
    CustomerIds ids;
    progress("(a) recording " + format_count(static_cast<std::uint64_t>(s.recorded)) +
             " contacts, one FULL transaction each...");
    FC_ASSIGN(r.record, measure_record(variants, dir, s));
    progress("(b) writing a whole book in one transaction...");
    FC_ASSIGN(r.bulk, measure_bulk(variants, dir, s, ids));
    for (std::size_t i = 0; i < 2; ++i)
        r.file_bytes[i] = std::filesystem::file_size(dir.file("bulk-" + variants[i].label + ".db"));
    progress("(c) full scan and point lookups, cold and warm...");
    FC_TRY(measure_reads(variants, dir, s, ids, r));
    progress("(d) opening the book...");
    FC_TRY(measure_open(variants, dir, s, r));
    return r;
}

int run_encryption(Sizes s, const std::string& keep_in, const CommonOptions& common) {
    if (common.quick) s = {200, 200, 2'000, 300, 1'000, 2};
    ScratchDir dir(keep_in);
    std::array<Variant, 2> variants;
    variants[0].label = "plain";
    variants[1].label = "encrypted";
    variants[1].encrypted = true;
    auto results = run_all(variants, dir, s);
    if (!results.ok()) {
        std::cerr << "forecourt-bench encryption: " << results.error().describe() << '\n';
        return 2;
    }
    const auto report = report_json(s, common.quick, *results);
    if (common.json)
        std::cout << report.dump(2) << '\n';
    else
        print_report(s, *results);
    return report["all_pass"].get<bool>() || common.quick ? 0 : 1;
}

Runner configure_encryption(CLI::App& command) {
    auto sizes = std::make_shared<Sizes>();
    auto dir = std::make_shared<std::string>();
    command.add_option("--repetitions", sizes->repetitions, "repetitions of every workload")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    command.add_option("--dir", *dir,
                       "write the books here and keep them (default: a temporary directory)");
    command.footer(
        "Exit status: 0 when every figure is within its target (always, with --quick), 1 when "
        "one is missed, 2 on an error.");
    return [sizes, dir](const CommonOptions& common) {
        return run_encryption(*sizes, *dir, common);
    };
}

const Registration kRegistration{
    {"encryption",
     "plain vs encrypted book: recording contacts, a bulk insert, scans and lookups, opening",
     &configure_encryption}};

}  // namespace
}  // namespace forecourt::bench::encryption_bench
