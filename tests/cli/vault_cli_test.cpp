// `forecourt tablet` on encrypted books end to end: where the passphrase comes
// from, wrong keys, plain books, passwd, rekey, verify and wipe.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <doctest/doctest.h>

#include "cli_fixture.hpp"

using namespace forecourt::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Runs forecourt with stdin on /dev/null (never a terminal, so it must not
// prompt) and FORECOURT_PASSPHRASE removed from its environment.
ProcessResult run_without_terminal(const std::vector<std::string>& args,
                                   std::vector<std::string> env = {}) {
    std::vector<std::string> shell = {"-c", "exec \"$0\" \"$@\" </dev/null", FORECOURT_BIN};
    shell.insert(shell.end(), args.begin(), args.end());
    env.insert(env.begin(), "FORECOURT_PASSPHRASE");  // no '=': putenv removes it
    return run_process("/bin/sh", shell, env);
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> listed_ids(const CliHome& cli, const std::vector<std::string>& env) {
    auto r = cli.tablet({"list", "--json"}, env);
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> ids;
    for (const auto& row : json_of(r)) ids.push_back(row["id"].get<std::string>());
    return ids;
}

// Flips one byte in the middle of page `pgno` of the database file.
void flip_byte_in_page(const std::string& database, int pgno) {
    std::fstream file(database, std::ios::in | std::ios::out | std::ios::binary);
    unsigned char size_bytes[2] = {};
    file.seekg(16);
    file.read(reinterpret_cast<char*>(size_bytes), 2);
    const long stored = size_bytes[0] * 256L + size_bytes[1];
    const long page_size = stored == 1 ? 65536 : stored;  // SQLite stores 65536 as 1
    const long at = page_size * (pgno - 1) + page_size / 2;
    char byte = 0;
    file.seekg(at);
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x5a);
    file.seekp(at);
    file.write(&byte, 1);
}

}  // namespace

TEST_CASE("vault cli: without a passphrase or a terminal, init and open say how to give one") {
    TempDir dir;
    const auto home = dir.file("home");
    auto init = run_without_terminal({"tablet", "--home", home, "init", "--consultant", "李娜"});
    CHECK(init.exit_code == 4);
    CHECK(init.err.find("FORECOURT_PASSPHRASE") != std::string::npos);
    CHECK(init.err.find("--passphrase-file") != std::string::npos);
    CHECK_FALSE(fs::exists(home + "/book.db"));

    CliHome cli;
    auto open = run_without_terminal({"tablet", "--home", cli.home(), "list"});
    CHECK(open.exit_code == 4);
    CHECK(open.err.find("is encrypted") != std::string::npos);
    CHECK(open.err.find("FORECOURT_PASSPHRASE") != std::string::npos);
}

TEST_CASE("vault cli: a wrong passphrase is refused with exit 7 and shows nothing") {
    CliHome cli;
    cli.register_prospect("王伟", "13800138000");
    auto r = cli.tablet({"list"}, {passphrase_env("not the passphrase")});
    CHECK(r.exit_code == 7);
    CHECK(r.out.empty());
    CHECK(r.err.find("passphrase does not unlock") != std::string::npos);
    CHECK(r.err.find("FORECOURT_PASSPHRASE") != std::string::npos);
}

TEST_CASE("vault cli: the book's file holds no customer data in the clear") {
    CliHome cli;
    cli.register_prospect("王伟", "13800138000");
    CHECK(fs::exists(cli.file("book.key")));
    CHECK(read_all(cli.file("book.db")).find("王伟") == std::string::npos);
}

TEST_CASE("vault cli: an --insecure-plaintext book warns, and opens without a passphrase") {
    TempDir dir;
    const auto home = dir.file("home");
    auto init = run_without_terminal(
        {"tablet", "--home", home, "init", "--consultant", "李娜", "--insecure-plaintext"});
    REQUIRE(init.exit_code == 0);
    CHECK(init.err.find("NOT encrypted") != std::string::npos);
    CHECK_FALSE(fs::exists(home + "/book.key"));
    auto reg = run_without_terminal({"tablet", "--home", home, "register", "王伟", "--phone",
                                     "13800138000", "--source", "walk_in"});
    REQUIRE(reg.exit_code == 0);
    auto list = run_without_terminal({"tablet", "--home", home, "list"});
    CHECK(list.exit_code == 0);
    CHECK(list.out.find("王伟") != std::string::npos);
}

TEST_CASE("vault cli: --passphrase-file gives the passphrase from a file's first line") {
    CliHome cli;
    const auto file = cli.file("passphrase.txt");
    write_file(file, kTestPassphrase + "\n");
    auto r =
        run_without_terminal({"tablet", "--home", cli.home(), "--passphrase-file", file, "list"});
    CHECK(r.exit_code == 0);
    write_file(file, "something else\n");
    auto wrong =
        run_without_terminal({"tablet", "list", "--home", cli.home(), "--passphrase-file", file});
    CHECK(wrong.exit_code == 7);
}

TEST_CASE("vault cli: after passwd the old passphrase fails and the new one opens the book") {
    CliHome cli;
    const auto id = cli.register_prospect("王伟", "13800138000");
    auto r = cli.tablet({"passwd"}, {passphrase_env(), "FORECOURT_NEW_PASSPHRASE=new secret 2"});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("Changed the passphrase") != std::string::npos);
    CHECK(cli.tablet({"list"}).exit_code == 7);
    CHECK(listed_ids(cli, {passphrase_env("new secret 2")}) == std::vector<std::string>{id});

    const auto next = cli.file("next.txt");
    write_file(next, "third one\n");
    auto again = cli.tablet({"passwd", "--new-passphrase-file", next},
                            {passphrase_env("new secret 2")});
    REQUIRE(again.exit_code == 0);
    CHECK(listed_ids(cli, {passphrase_env("third one")}) == std::vector<std::string>{id});
}

TEST_CASE("vault cli: rekey keeps every customer and the passphrase") {
    CliHome cli;
    for (int i = 0; i < 5; ++i)
        cli.register_prospect("客户" + std::to_string(i), "1380013800" + std::to_string(i));
    const auto before = listed_ids(cli, {passphrase_env()});
    const auto old_key = read_all(cli.file("book.key"));
    auto r = cli.tablet({"rekey"});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("new data key") != std::string::npos);
    CHECK(read_all(cli.file("book.key")) != old_key);
    CHECK(listed_ids(cli, {passphrase_env()}) == before);
    CHECK(before.size() == 5);
    CHECK(cli.tablet({"verify"}).exit_code == 0);
}

TEST_CASE("vault cli: verify passes a clean book and names the page of a flipped byte") {
    CliHome cli;
    for (int i = 0; i < 3; ++i)
        cli.register_prospect("客户" + std::to_string(i), "1390013900" + std::to_string(i));
    auto clean = cli.tablet({"verify"});
    INFO("stdout: " << clean.out << "\nstderr: " << clean.err);
    REQUIRE(clean.exit_code == 0);
    CHECK(clean.out.find("every page authenticated") != std::string::npos);
    auto report = json_of(cli.tablet({"verify", "--json"}));
    CHECK(report["ok"] == true);
    CHECK(report["database_pages"].get<int>() > 2);
    CHECK(report["problems"].empty());

    flip_byte_in_page(cli.file("book.db"), 2);
    auto bad = cli.tablet({"verify"});
    CHECK(bad.exit_code == 6);
    CHECK(bad.out.find("FAILED") != std::string::npos);
    CHECK(bad.err.find("page 2") != std::string::npos);
    auto bad_json = cli.tablet({"verify", "--json"});
    CHECK(bad_json.exit_code == 6);
    auto doc = json_of(bad_json);
    CHECK(doc["ok"] == false);
    REQUIRE_FALSE(doc["problems"].empty());
    CHECK(doc["problems"][0].get<std::string>().find("page 2") != std::string::npos);
}

TEST_CASE("vault cli: a tampered page stops the commands with exit 6") {
    CliHome cli;
    for (int i = 0; i < 3; ++i)
        cli.register_prospect("客户" + std::to_string(i), "1370013700" + std::to_string(i));
    flip_byte_in_page(cli.file("book.db"), 2);
    auto r = cli.tablet({"list"});
    CHECK(r.exit_code == 6);
    CHECK_FALSE(r.err.empty());
}

TEST_CASE("vault cli: wipe needs --yes, destroys the key first, and a copy taken before is dead") {
    CliHome cli;
    cli.register_prospect("王伟", "13800138000");
    auto refused = cli.tablet({"wipe"}, {});
    CHECK(refused.exit_code == 4);
    CHECK(refused.err.find("--yes") != std::string::npos);
    REQUIRE(fs::exists(cli.file("book.db")));

    TempDir elsewhere;
    const auto copy_home = elsewhere.file("copy");
    fs::create_directories(copy_home);
    fs::copy_file(cli.file("book.db"), copy_home + "/book.db");

    auto r = cli.tablet({"wipe", "--yes"}, {});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("Destroyed the key") != std::string::npos);
    CHECK(r.out.find("book.key") < r.out.find("Removed"));
    CHECK_FALSE(fs::exists(cli.file("book.db")));
    CHECK_FALSE(fs::exists(cli.file("book.key")));

    auto reopened = run_process(FORECOURT_BIN, {"tablet", "--home", copy_home, "list"},
                                {passphrase_env()});
    CHECK(reopened.exit_code != 0);
    CHECK(reopened.out.find("王伟") == std::string::npos);
    CHECK(read_all(copy_home + "/book.db").find("王伟") == std::string::npos);
}
