// `forecourt admin --home DIR …`: the manager's operations, run directly on the
// store's database through the same handler as the admin API, so the CLI and
// the API can never disagree.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/exit_status.hpp"
#include "cli/output.hpp"
#include "forecourt/sync/codec.hpp"
#include "forecourt/sync/server/store_service.hpp"
#include "server/admin_views.hpp"
#include "server/server_commands.hpp"
#include "server/server_home.hpp"

namespace forecourt::cli {
namespace {

using nlohmann::json;

struct AdminArgs {
    std::string home;
    bool json = false;
};
using AdminArgsPtr = std::shared_ptr<AdminArgs>;

// One admin request against the store; the parsed body of a success.
Result<json> call_admin(const AdminArgs& args, const std::string& method, const std::string& target,
                        json body = json::object()) {
    ServerHome home{args.home};
    FC_ASSIGN(auto store, open_store(home));
    FC_ASSIGN(auto token, read_admin_token(home));
    sync::StoreService service(*store);
    body["protocol"] = sync::kProtocolVersion;
    auto reply = service.handle(sync::Request{method, target, token, method == "GET" ? "" : body.dump()});
    if (reply.response.status >= 300) return sync::decode_error(reply.response.status, reply.response.body);
    return json::parse(reply.response.body);
}

template <typename Action>
void on_admin_run(CLI::App* cmd, const AdminArgsPtr& args, Action action) {
    cmd->callback([args, action] {
        if (args->home.empty()) throw CLI::RequiredError("--home DIR (or FORECOURT_SERVER_HOME)");
        run_command(action);
    });
}

// A listing: the response as JSON with --json, else `show` prints it for people.
void add_listing(CLI::App& admin, const AdminArgsPtr& args, const std::string& name,
                 const std::string& help, const std::string& target, void (*show)(const json&)) {
    auto* cmd = admin.add_subcommand(name, help);
    cmd->add_flag("--json", args->json, "print the list as JSON");
    on_admin_run(cmd, args, [args, target, show]() -> Status {
        FC_ASSIGN(auto listed, call_admin(*args, "GET", target));
        listed.erase("protocol");
        if (args->json) print_json(std::cout, listed);
        else show(listed);
        return ok_status();
    });
}

void add_consultant_commands(CLI::App& admin, const AdminArgsPtr& args) {
    auto* group = admin.add_subcommand("consultant", "Add or deactivate a consultant");
    group->require_subcommand(1);
    auto input = std::make_shared<sync::ConsultantInput>();
    auto* add = group->add_subcommand("add", "Add a consultant (or a manager); prints their id");
    add->add_option("NAME", input->name, "the consultant's name, e.g. 李娜")->required();
    add->add_option("--phone", input->phone, "their phone number");
    add->add_option("--role", input->role, "consultant (default) or manager");
    on_admin_run(add, args, [args, input]() -> Status {
        json body = json::parse(sync::encode(*input));
        FC_ASSIGN(auto added, call_admin(*args, "POST", "/v1/admin/consultants", body));
        std::cout << added["consultant"]["id"].get<std::string>() << '\n';
        return ok_status();
    });
    auto id = std::make_shared<std::string>();
    auto* off = group->add_subcommand("deactivate",
                                      "Deactivate a consultant; their tablets are revoked");
    off->add_option("ID", *id, "consultant id")->required();
    on_admin_run(off, args, [args, id]() -> Status {
        FC_ASSIGN(auto done, call_admin(*args, "POST", "/v1/admin/consultants/" + *id + "/deactivate"));
        std::cout << "Deactivated " << done["consultant"]["name"].get<std::string>() << "; revoked "
                  << done["revoked_devices"].size() << " tablet(s)\n";
        return ok_status();
    });
}

Result<json> read_models_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return make_error(ErrorCode::not_found, "cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    json doc = json::parse(text.str(), nullptr, false);
    if (doc.is_array()) doc = json{{"models", doc}};
    if (!doc.is_object() || !doc.contains("models"))
        return make_error(ErrorCode::invalid_argument,
                          path + " must hold a JSON array of models, or {\"models\": [...]}");
    return doc;
}

void add_models_command(CLI::App& admin, const AdminArgsPtr& args) {
    auto* group = admin.add_subcommand("models", "Vehicle models, the store's reference data");
    group->require_subcommand(1);
    auto file = std::make_shared<std::string>();
    auto* load = group->add_subcommand(
        "load", "Load vehicle models from a JSON file: [{\"name\", \"brand\", \"series\", "
                "\"price\" (fen), \"id\" (to update)}]");
    load->add_option("FILE", *file, "the JSON file")->required();
    on_admin_run(load, args, [args, file]() -> Status {
        FC_ASSIGN(auto models, read_models_file(*file));
        FC_ASSIGN(auto loaded, call_admin(*args, "POST", "/v1/admin/vehicle-models", models));
        std::cout << "Loaded " << loaded["loaded"].get<int>() << " vehicle model(s)\n";
        return ok_status();
    });
}

void add_enrol_code(CLI::App& admin, const AdminArgsPtr& args) {
    auto id = std::make_shared<std::string>();
    auto* cmd = admin.add_subcommand(
        "enrol-code", "Issue a one-time enrolment code for a consultant's tablet (valid 15 minutes)");
    cmd->add_option("CONSULTANT_ID", *id, "consultant id")->required();
    cmd->add_flag("--json", args->json, "print the code and its expiry as JSON");
    on_admin_run(cmd, args, [args, id]() -> Status {
        FC_ASSIGN(auto issued, call_admin(*args, "POST", "/v1/admin/enrolment-codes",
                                          {{"consultant_id", *id}}));
        issued.erase("protocol");
        if (args->json) print_json(std::cout, issued);
        else std::cout << issued["code"].get<std::string>() << '\n';
        return ok_status();
    });
}

void add_handover(CLI::App& admin, const AdminArgsPtr& args) {
    auto request = std::make_shared<sync::HandoverRequest>();
    auto customers = std::make_shared<std::vector<std::string>>();
    auto* cmd = admin.add_subcommand("handover",
                                     "Move customers (all by default) from one consultant to another");
    cmd->add_option("--from", request->from, "consultant id")->required();
    cmd->add_option("--to", request->to, "consultant id")->required();
    cmd->add_option("--customer", *customers, "a customer to move (repeat; default: all)");
    on_admin_run(cmd, args, [args, request, customers]() -> Status {
        if (!customers->empty()) request->customers = *customers;
        FC_ASSIGN(auto moved, call_admin(*args, "POST", "/v1/admin/handover",
                                         json::parse(sync::encode(*request))));
        std::cout << "Moved " << moved["moved"].get<int>() << " customer(s)\n";
        return ok_status();
    });
}

void add_token(CLI::App& admin, const AdminArgsPtr& args) {
    auto rotate = std::make_shared<bool>(false);
    auto* cmd = admin.add_subcommand(
        "token", "Print the admin API's bearer token; --rotate issues a new one (the old one stops working)");
    cmd->add_flag("--rotate", *rotate, "replace the token");
    on_admin_run(cmd, args, [args, rotate]() -> Status {
        ServerHome home{args->home};
        if (!*rotate) {
            FC_ASSIGN(auto token, read_admin_token(home));
            std::cout << token << '\n';
            return ok_status();
        }
        FC_ASSIGN(auto store, open_store(home));
        FC_ASSIGN(auto token, rotate_admin_token(home, *store));
        std::cout << token << '\n';
        return ok_status();
    });
}

}  // namespace

void register_admin_commands(CLI::App& app) {
    auto args = std::make_shared<AdminArgs>();
    auto* admin = app.add_subcommand(
        "admin", "The store manager's operations, on the server's home directory");
    admin->add_option("--home", args->home, "the server's home directory")
        ->envname("FORECOURT_SERVER_HOME");
    admin->require_subcommand(1);
    admin->fallthrough();
    add_consultant_commands(*admin, args);
    add_listing(*admin, args, "consultants", "List the store's consultants", "/v1/admin/consultants",
                show_consultants);
    add_models_command(*admin, args);
    add_enrol_code(*admin, args);
    add_handover(*admin, args);
    add_listing(*admin, args, "devices", "List enrolled tablets", "/v1/admin/devices", show_devices);
    add_listing(*admin, args, "conflicts", "List overwritten values (the conflicts log)",
                "/v1/admin/conflicts?limit=500", show_conflicts);
    add_listing(*admin, args, "review", "List pushed changes queued for review",
                "/v1/admin/review?limit=500", show_review);
    add_token(*admin, args);
}

}  // namespace forecourt::cli
