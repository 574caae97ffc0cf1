// libFuzzer target: the store server's request handler given an arbitrary
// method, target, bearer token and body, against a store on a temp file.
// Malformed requests must get a 4xx answer: a 500 (an exception or an
// unexpected failure inside the handler) is reported as a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "forecourt/core/storage/transaction.hpp"
#include "forecourt/core/store/store_database.hpp"
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/server/store_service.hpp"

namespace {

using namespace forecourt;

// One store for the whole run: created once, with a known admin token and an
// enrolled device that inputs can name as "admin" and "device", so the admin
// API and POST /v1/sync are reachable too.
struct FuzzStore {
    std::unique_ptr<store::StoreDatabase> database;
    std::unique_ptr<sync::StoreService> service;
    std::string admin_token;
    std::string device_token;

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
        enrol_device();
    }

    sync::Response call(const char* method, const char* target, const std::string& token,
                        std::string body) {
        sync::Request request;
        request.method = method;
        request.target = target;
        request.bearer_token = token;
        request.body = std::move(body);
        return service->handle(request).response;
    }

    void enrol_device() {
        const auto added = call("POST", "/v1/admin/consultants", admin_token,
                                R"({"protocol":1,"name":"Fuzz Consultant","role":"consultant"})");
        const auto consultant = nlohmann::json::parse(added.body).at("consultant").at("id");
        const auto code = call("POST", "/v1/admin/enrolment-codes", admin_token,
                               nlohmann::json{{"protocol", 1}, {"consultant_id", consultant}}.dump());
        nlohmann::json enrol{{"protocol", 1},
                             {"code", nlohmann::json::parse(code.body).at("code")},
                             {"device_name", "fuzz tablet"},
                             {"replica_id", "0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b"}};
        const auto enrolled = call("POST", "/v1/enrol", "", enrol.dump());
        device_token = nlohmann::json::parse(enrolled.body).at("token").get<std::string>();
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
    if (request.bearer_token == "device") request.bearer_token = store.device_token;
    request.body = std::string(rest);
    const auto reply = store.service->handle(request);
    if (reply.response.status >= 500) {
        std::fprintf(stderr, "%s %s answered %d: %s\n", request.method.c_str(),
                     request.target.c_str(), reply.response.status, reply.response.body.c_str());
        std::abort();
    }
    return 0;
}
