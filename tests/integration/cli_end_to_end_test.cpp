// The real forecourt binary end to end: a store server as a child process, the
// manager's admin commands, and a tablet enrolling and syncing with it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <regex>

#include "forecourt/core/storage/database.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

namespace forecourt::testing {
namespace {

const std::vector<std::string> kEnv = {"FORECOURT_PASSPHRASE=correct horse battery staple"};

ProcessResult forecourt(const std::vector<std::string>& args) {
    auto r = run_process(FORECOURT_BIN, args, kEnv, 60);
    INFO("forecourt " << args.front() << " " << args.back() << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 0);
    return r;
}

// `server run` in the background; its first line of stdout names the bound port.
class ServerProcess {
public:
    explicit ServerProcess(const std::string& home) {
        int out[2];
        REQUIRE(::pipe(out) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            ::execl(FORECOURT_BIN, FORECOURT_BIN, "server", "--home", home.c_str(), "run", "--listen",
                    "127.0.0.1:0", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(out[1]);
        stdout_ = ::fdopen(out[0], "r");
        char line[256] = {};
        REQUIRE(std::fgets(line, sizeof line, stdout_) != nullptr);
        std::smatch m;
        std::string text(line);
        REQUIRE(std::regex_search(text, m, std::regex(R"(127\.0\.0\.1:(\d+))")));
        port_ = m[1];
    }
    ~ServerProcess() {
        if (pid_ > 0) ::kill(pid_, SIGKILL), ::waitpid(pid_, nullptr, 0);
        if (stdout_) std::fclose(stdout_);
    }
    const std::string& port() const { return port_; }

    // SIGTERM, then the exit status (or -1 when it does not exit in time).
    int terminate() {
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            ::usleep(100'000);
        }
        return -1;
    }

private:
    pid_t pid_ = -1;
    FILE* stdout_ = nullptr;
    std::string port_;
};

std::string fingerprint_in(const std::string& text) {
    std::smatch m;
    REQUIRE(std::regex_search(text, m, std::regex(R"(SHA256:[0-9A-F:]+)")));
    return m[0];
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// A store server home with one consultant, 李娜: initialised and running.
struct RunningStore {
    explicit RunningStore(const TempDir& dir)
        : home(dir.file("server")),
          fingerprint(fingerprint_in(
              forecourt({"server", "--home", home, "init", "--store-name", "Forecourt Motors"}).out)),
          consultant_id(first_line(forecourt({"admin", "--home", home, "consultant", "add", "李娜"}).out)),
          server(home) {}

    std::string enrol_code() const {
        return first_line(forecourt({"admin", "--home", home, "enrol-code", consultant_id}).out);
    }
    std::string url() const { return "https://127.0.0.1:" + server.port(); }

    std::string home, fingerprint, consultant_id;
    ServerProcess server;
};

}  // namespace

TEST_CASE("cli end to end: server init and run, enrol code, tablet enroll, sync, status, SIGTERM") {
    TempDir dir;
    RunningStore store(dir);
    const auto& server_home = store.home;
    const auto& fingerprint = store.fingerprint;
    const auto& consultant_id = store.consultant_id;
    auto& server = store.server;
    const auto tablet_home = dir.file("tablet");
    const auto code = store.enrol_code();

    forecourt({"tablet", "--home", tablet_home, "init", "--consultant", "李娜"});
    forecourt({"tablet", "--home", tablet_home, "enroll", "--server",
               "https://127.0.0.1:" + server.port(), "--code", code.substr(0, code.find('\n')),
               "--fingerprint", fingerprint});
    forecourt({"tablet", "--home", tablet_home, "register", "王伟", "--phone", "13800138000",
               "--source", "walk_in"});
    auto synced = nlohmann::json::parse(
        forecourt({"tablet", "--home", tablet_home, "sync", "--json"}).out, nullptr, false);
    REQUIRE(synced.is_object());
    CHECK(synced["pushed"].get<int>() >= 1);
    auto status = nlohmann::json::parse(
        forecourt({"tablet", "--home", tablet_home, "status", "--json"}).out, nullptr, false);
    REQUIRE(status.is_object());
    CHECK(status["status"] == "enrolled");
    CHECK(status["pending"] == 0);
    CHECK(status["fingerprint"] == fingerprint);
    CHECK(status["last_sync_at"].is_number());
    auto devices = nlohmann::json::parse(
        forecourt({"admin", "--home", server_home, "devices", "--json"}).out, nullptr, false);
    CHECK(devices["devices"].size() == 1);

    // Each kind of network failure has its own exit code (docs/CLI.md).
    const auto other_home = dir.file("other");
    forecourt({"tablet", "--home", other_home, "init", "--consultant", "李娜"});
    const auto used = run_process(FORECOURT_BIN, {"tablet", "--home", other_home, "enroll", "--server",
                                  "https://127.0.0.1:" + server.port(), "--code",
                                  code.substr(0, code.find('\n')), "--fingerprint", fingerprint}, kEnv, 60);
    CHECK(used.exit_code == 9);
    CHECK(used.err.find("already used") != std::string::npos);
    const std::string wrong_pin =
        "SHA256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
    const auto fresh = forecourt({"admin", "--home", server_home, "enrol-code", consultant_id}).out;
    const auto impostor = run_process(FORECOURT_BIN, {"tablet", "--home", other_home, "enroll", "--server",
                                      "https://127.0.0.1:" + server.port(), "--code",
                                      fresh.substr(0, fresh.find('\n')), "--fingerprint", wrong_pin}, kEnv, 60);
    CHECK(impostor.exit_code == 10);
    CHECK(impostor.err.find(wrong_pin) != std::string::npos);
    CHECK(impostor.err.find(fingerprint) != std::string::npos);

    CHECK(server.terminate() == 0);
    const auto offline = run_process(FORECOURT_BIN, {"tablet", "--home", tablet_home, "sync"}, kEnv, 60);
    CHECK(offline.exit_code == 8);
}

TEST_CASE("cli end to end: a change the store refuses is set aside, reported, and the rest syncs") {
    TempDir dir;
    RunningStore store(dir);
    const auto tablet_home = dir.file("tablet");
    // A plain book, so the test can reach into its outbox.
    forecourt({"tablet", "--home", tablet_home, "init", "--consultant", "李娜", "--insecure-plaintext"});
    forecourt({"tablet", "--home", tablet_home, "enroll", "--server", store.url(), "--code", store.enrol_code(),
               "--fingerprint", store.fingerprint});
    forecourt({"tablet", "--home", tablet_home, "register", "王伟", "--phone", "13800138000", "--source", "walk_in"});
    forecourt({"tablet", "--home", tablet_home, "register", "赵敏", "--phone", "13900139000", "--source", "walk_in"});
    std::int64_t refused_seq = 0;
    {
        // 王伟's creation as a tablet of another version might send it: a
        // budget this store's schema does not take.
        storage::OpenOptions o;
        o.path = tablet_home + "/book.db";
        auto db = storage::Database::open(o);
        REQUIRE(db.ok());
        refused_seq = storage::query_int64(*db, "SELECT min(seq) FROM outbox WHERE tbl = 'customers'").value();
        REQUIRE(db->exec("UPDATE outbox SET fields = json_set(fields, '$.budget', json('{\"value\":\"lots\",\"base\":null}')) "
                         "WHERE seq = " + std::to_string(refused_seq)).ok());
    }
    auto synced = nlohmann::json::parse(forecourt({"tablet", "--home", tablet_home, "sync", "--json"}).out,
                                        nullptr, false);
    REQUIRE(synced.is_object());
    CHECK(synced["refused"] == 1);
    CHECK(synced["pushed"].get<int>() >= 1);
    auto status = nlohmann::json::parse(forecourt({"tablet", "--home", tablet_home, "status", "--json"}).out,
                                        nullptr, false);
    REQUIRE(status.is_object());
    CHECK(status["pending"] == 0);
    CHECK(status["refused"]["count"] == 1);
    REQUIRE(status["refused"]["changes"].size() == 1);
    CHECK(status["refused"]["changes"][0]["seq"] == refused_seq);
    CHECK(status["refused"]["changes"][0]["fields"]["budget"] == "lots");
    CHECK(status["refused"]["changes"][0]["reason"].get<std::string>().find("budget") != std::string::npos);
    const auto text = forecourt({"tablet", "--home", tablet_home, "status"}).out;
    CHECK(text.find("1 change(s) the store refused") != std::string::npos);
    CHECK(text.find("#" + std::to_string(refused_seq) + " customers") != std::string::npos);
    // The store has 赵敏, pushed after the refused change.
    const auto again = nlohmann::json::parse(forecourt({"tablet", "--home", tablet_home, "sync", "--json"}).out,
                                             nullptr, false);
    CHECK(again["refused"] == 0);
    const auto found = forecourt({"tablet", "--home", tablet_home, "find", "赵敏"}).out;
    CHECK(found.find("赵敏") != std::string::npos);
    // --retry-refused sends it again; this store still refuses it, and it is
    // set aside again, never lost.
    const auto retried = nlohmann::json::parse(
        forecourt({"tablet", "--home", tablet_home, "sync", "--retry-refused", "--json"}).out, nullptr, false);
    CHECK(retried["refused"] == 1);
    status = nlohmann::json::parse(forecourt({"tablet", "--home", tablet_home, "status", "--json"}).out,
                                   nullptr, false);
    CHECK(status["refused"]["count"] == 1);
    CHECK(status["refused"]["changes"][0]["seq"].get<std::int64_t>() > refused_seq);
    CHECK(status["refused"]["changes"][0]["fields"]["budget"] == "lots");
    CHECK(store.server.terminate() == 0);
}

}  // namespace forecourt::testing
