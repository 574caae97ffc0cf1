// The sync crash tests' shared parts (see crash_support.hpp).
#include "crash_support.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "book_fixture.hpp"
#include "forecourt/platform/random.hpp"
#include "run_process.hpp"

namespace forecourt::testing::crash {

using namespace std::chrono_literals;

std::uint64_t crash_seed(const char* what) {
    const char* env = std::getenv("FC_SEED");
    const std::uint64_t seed = env && *env ? std::strtoull(env, nullptr, 10) : platform::random_u64();
    std::printf("sync crash test (%s): seed %llu (FC_SEED=%llu replays it)\n", what,
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    return seed;
}

std::string forecourt_ok(const std::vector<std::string>& args) {
    auto r = run_process(FORECOURT_BIN, args, {}, 60);
    INFO("forecourt " << args.front() << " ... " << args.back() << "\nstdout: " << r.out
                      << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

StoreHome::StoreHome(const std::string& home) : dir(home) {
    const auto init = forecourt_ok({"server", "--home", dir, "init", "--store-name", "Forecourt Motors"});
    std::smatch m;
    REQUIRE(std::regex_search(init, m, std::regex(R"(SHA256:[0-9A-F:]+)")));
    fingerprint = m[0];
    consultant_id = first_line(forecourt_ok({"admin", "--home", dir, "consultant", "add", "李娜"}));
}

std::string StoreHome::enrolment_code() const {
    return first_line(forecourt_ok({"admin", "--home", dir, "enrol-code", consultant_id}));
}

ServerChild::~ServerChild() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

void ServerChild::start() {
    REQUIRE(pid_ < 0);
    // Emptied before the fork: read after it, the previous server's output
    // (and its port) could still be there until the child got to truncate it.
    const int fd = ::open(output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    std::fflush(nullptr);
    pid_ = ::fork();
    if (pid_ != 0) ::close(fd);
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::execl(FORECOURT_BIN, FORECOURT_BIN, "server", "--home", home_.c_str(), "run", "--listen",
                "127.0.0.1:0", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    const std::regex listening(R"(Listening on 127\.0\.0\.1:(\d+)\n)");
    for (const auto deadline = Clock::now() + 20s; Clock::now() < deadline;) {
        std::ifstream in(output_);
        std::stringstream text;
        text << in.rdbuf();
        const std::string out = text.str();
        std::smatch m;
        if (std::regex_search(out, m, listening)) {
            port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
            return;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            FAIL("the store server exited while starting: " << out);
        }
        std::this_thread::sleep_for(2ms);
    }
    FAIL("the store server did not report its port in time");
}

void ServerChild::kill() const {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
}

int ServerChild::stop() {
    REQUIRE(pid_ > 0);
    ::kill(pid_, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(pid_, &status, 0) == pid_);
    pid_ = -1;
    return status;
}

sync::net::ClientOptions ServerChild::client_options(const std::string& fingerprint) const {
    sync::net::ClientOptions options;
    options.host = "127.0.0.1";
    options.port = port_;
    options.pinned_fingerprint = fingerprint;
    options.connect_timeout = 2s;
    options.handshake_timeout = 5s;
    options.io_timeout = 10s;
    return options;
}

CrashScene::CrashScene(const char* what)
    : seed(crash_seed(what)), dice(seed), home(dir.file("server")), server(home.dir, dir.file("server.out")) {
    server.start();
}

// Enrols `book` with the store over HTTPS; the caller reopens it afterwards.
void enrol(Book& book, const ServerChild& server, const StoreHome& home) {
    NetTransport transport(server.client_options(home.fingerprint));
    sync::SyncClient client(book);
    const auto answer = need(transport.send(client.enrol_request(home.enrolment_code(), "tablet")), "enrol");
    need(client.complete_enrolment(answer, "tablet", server.url(), home.fingerprint), "enrolment");
}

std::vector<std::string> column(storage::Database& db, const std::string& sql) {
    auto q = must(storage::Query::prepare(db, sql));
    std::vector<std::string> out;
    while (must(q->step())) out.push_back(q->text(0));
    return out;
}

std::int64_t number(storage::Database& db, const std::string& sql) {
    return must(storage::query_int64(db, sql));
}



std::map<std::int64_t, OutboxEntry> outbox_of(Book& book) {
    auto q = must(storage::Query::prepare(book.db(), "SELECT seq, tbl, record_id FROM outbox"));
    std::map<std::int64_t, OutboxEntry> out;
    while (must(q->step())) out[q->int64(0)] = OutboxEntry{q->text(1), q->text(2)};
    return out;
}

// How many change-log entries each of the device's pushed seqs produced.
std::map<std::int64_t, std::int64_t> applied_seqs(store::StoreDatabase& store, const std::string& device) {
    auto q = must(storage::Query::prepare(
        store.db(), "SELECT origin_seq, count(*) FROM change_log WHERE origin_device = ? GROUP BY origin_seq"));
    q->bind(1, device);
    std::map<std::int64_t, std::int64_t> out;
    while (must(q->step())) out[q->int64(0)] = q->int64(1);
    return out;
}

std::unique_ptr<store::StoreDatabase> open_store(const StoreHome& home) {
    store::StoreOptions options;
    options.path = home.database();
    return need(store::StoreDatabase::open(options), "open the store database");
}

}  // namespace forecourt::testing::crash
