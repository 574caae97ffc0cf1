// Shared helpers of the encryption tests.
#include "crypto_support.hpp"

#include <doctest/doctest.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "book_fixture.hpp"

namespace forecourt::testing {

platform::PassphraseKeyStore test_keys(const std::string& passphrase) {
    return platform::PassphraseKeyStore(passphrase, platform::KdfLimits::minimum());
}

BookOptions plain_options(const std::string& path, const platform::Clock& clock) {
    BookOptions options;
    options.path = path;
    options.clock = &clock;
    return options;
}

std::unique_ptr<Book> create_encrypted(const std::string& path, const platform::Clock& clock,
                                       platform::KeyStore& keys) {
    return must(crypto::create_encrypted_book(plain_options(path, clock), keys,
                                              NewBook{"MarkerConsultantZq", "", "store-1"}),
                "creating an encrypted book");
}

std::unique_ptr<Book> open_encrypted(const std::string& path, const platform::Clock& clock,
                                     platform::KeyStore& keys) {
    return must(crypto::open_encrypted_book(plain_options(path, clock), keys), "opening an encrypted book");
}

std::vector<std::string> markers() {
    return {"MarkerConsultantZq", "MarkerNameQx", "13917654321", "MarkerNoteVw",
            "LSVMK7WX9Z1234567", "MarkerPlateJk", "MarkerCompanyPf", "MarkerContactNoteRt"};
}

void fill_with_markers(Book& book) {
    for (int i = 0; i < 20; ++i) {
        ProspectInput p;
        p.name = "MarkerNameQx" + std::to_string(i);
        p.phones = {"1391765432" + std::to_string(i % 10)};
        p.grade = "B";
        p.source = "walk_in";
        p.company = "MarkerCompanyPf";
        p.household_notes = "MarkerNoteVw " + std::string(static_cast<std::size_t>(i) * 150, 'n');
        p.allow_duplicate_phone = true;
        const auto id = must(book.register_prospect(p), "registering a marker prospect");
        ContactInput c = contact_input(id, "phone_call", "keep_in_touch", "MarkerContactNoteRt");
        c.notes = "MarkerContactNoteRt " + std::to_string(i);
        must(book.record_contact(c), "recording a marker contact");
        if (i % 4 == 0) {
            VehicleInput v;
            v.model = "Model Z";
            v.vin = "LSVMK7WX9Z1234567";
            v.plate = "MarkerPlateJk";
            must(book.add_vehicle(id, v), "adding a marker vehicle");
        }
    }
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<std::string> find_markers(const std::string& dir) {
    std::vector<std::string> hits;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        const auto bytes = read_bytes(entry.path().string());
        const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        for (const auto& marker : markers())
            if (text.find(marker) != std::string_view::npos)
                hits.push_back(entry.path().filename().string() + ": " + marker);
    }
    return hits;
}

std::string hash_dir(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().string());
    std::sort(names.begin(), names.end());
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, 32);
    for (const auto& name : names) {
        const auto bytes = read_bytes(name);
        crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(name.data()), name.size());
        crypto_generichash_update(&state, bytes.data(), bytes.size());
    }
    unsigned char out[32];
    crypto_generichash_final(&state, out, sizeof out);
    return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

void copy_file(const std::string& from, const std::string& to) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

int spawn(const std::function<void()>& body) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        try {
            body();
        } catch (...) {
            ::_exit(3);
        }
        ::_exit(0);
    }
    return pid;
}

int wait_exit(int pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

std::vector<std::string> add_prospects(Book& book, int count, int note_bytes, const std::string& tag) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
        ProspectInput p;
        p.name = tag + "-" + std::to_string(i);
        p.source = "walk_in";
        p.household_notes = std::string(static_cast<std::size_t>(note_bytes), static_cast<char>('a' + i % 26));
        ids.push_back(must(book.register_prospect(p), "registering " + p.name));
    }
    return ids;
}

SealedDatabase::SealedDatabase() {
    crypto::BookId id{};
    id.fill(9);
    vfs = crypto::CipherVfs::create(platform::SecretKey::random(32), id);
}

storage::OpenOptions SealedDatabase::options(bool wal, int cache_kib) const {
    storage::OpenOptions o;
    o.path = dir.file("sealed.db");
    o.vfs = vfs->name();
    o.reserve_bytes = crypto::kPageReserve;
    o.wal = wal;
    o.cache_kib = cache_kib;
    return o;
}

storage::Database SealedDatabase::open(bool wal, int cache_kib) const {
    return must(storage::Database::open(options(wal, cache_kib)));
}

std::int64_t scalar(storage::Database& db, const std::string& sql) {
    auto q = must(storage::Query::prepare(db, sql));
    REQUIRE(must(q->step()));
    return q->int64(0);
}

}  // namespace forecourt::testing
