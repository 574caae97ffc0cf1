// libFuzzer target: the store server's request handler given an arbitrary
// method, target, bearer token and body, against a store on a temp file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "forecourt/core/storage/transaction.hpp"
#include "forecourt/core/store/store_database.hpp"
#include "forecourt/sync/server/store_service.hpp"

namespace {

using namespace forecourt;

// One store for the whole run: created once, with a known admin token that
// inputs can name as "admin", so the admin API is reachable too.
struct FuzzStore {
    std::unique_ptr<store::StoreDatabase> database;
    std::unique_ptr<sync::StoreService> service;
    std::string admin_token;

    FuzzStore() {
        const auto dir = std::filesystem::temp_directory_path() /
                         ("forecourt-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        store::StoreOptions options;
        options.path = (dir / "store.db").string();
        options.synchronous = storage::Synchronous::off;
        database = store::StoreDatabase::create(options, "Fuzz Motors").value();
        auto tx = storage::Transaction::begin(database->db()).value();
        admin_token = database->issue_admin_token(tx).value();
        (void)tx.commit();
        service = std::make_unique<sync::StoreService>(*database);
    }
};

// Splits the input at the first three newlines: method, target, token, body.
std::string take_line(std::string_view& rest) {
    const auto end = rest.find('\n');
    std::string line(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static FuzzStore store;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    sync::Request request;
    request.method = take_line(rest);
    request.target = take_line(rest);
    request.bearer_token = take_line(rest);
    if (request.bearer_token == "admin") request.bearer_token = store.admin_token;
    request.body = std::string(rest);
    (void)store.service->handle(request);
    return 0;
}
