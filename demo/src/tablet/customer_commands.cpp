// Tablet commands on prospects and base customers: register, edit the card,
// grade, won, lost, vehicles.
#include <charconv>
#include <iostream>

#include "cli/output.hpp"
#include "forecourt/core/model/record_schema.hpp"
#include "forecourt/core/model/vocabulary.hpp"
#include "tablet/tablet_context.hpp"

namespace forecourt::cli {
namespace {

using nlohmann::json;

std::string trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

Result<json> card_value(const model::FieldSpec* spec, const std::string& field,
                        const std::string& text) {
    if (text == "null") return json(nullptr);
    if (spec && spec->type == model::FieldType::text_array) {
        auto list = json::array();
        for (std::size_t start = 0; start <= text.size();) {
            const auto comma = std::min(text.find(',', start), text.size());
            if (auto item = trimmed(std::string_view(text).substr(start, comma - start));
                !item.empty())
                list.push_back(item);
            start = comma + 1;
        }
        return list;
    }
    if (spec && spec->type == model::FieldType::integer) {
        std::int64_t n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc{} || end != text.data() + text.size())
            return make_error(ErrorCode::invalid_argument,
                              field + " must be a whole number (got '" + text + "')");
        return json(n);
    }
    return json(text);
}

// "--set budget=250000 --set phones=138…,139…" → {"budget": 250000, "phones": [...]}
Result<json> card_changes(const std::vector<std::string>& sets) {
    const auto* customers = model::find_table("customers");
    json changes = json::object();
    for (const auto& set : sets) {
        const auto eq = set.find('=');
        if (eq == std::string::npos)
            return make_error(ErrorCode::invalid_argument,
                              "--set takes field=value (got '" + set + "')");
        const std::string field = trimmed(std::string_view(set).substr(0, eq));
        FC_ASSIGN(changes[field], card_value(customers->field(field), field, set.substr(eq + 1)));
    }
    return changes;
}

void add_register(CLI::App& tablet, const TabletContextPtr& context) {
    auto in = std::make_shared<ProspectInput>();
    auto* cmd =
        tablet.add_subcommand("register", "Register a new prospect; prints the new customer id");
    cmd->add_option("NAME", in->name, "the prospect's name (a person or a company)")->required();
    cmd->add_option("--phone", in->phones, "phone number, any format; repeat for several")
        ->required();
    cmd->add_option("--source", in->source,
                    "where the prospect came from: " + one_of(model::sources()))
        ->required();
    cmd->add_option("--grade", in->grade, "starting grade (default C): H, A, B or C");
    cmd->add_option("--model", in->models_of_interest, "model of interest; repeat for several");
    cmd->add_option("--budget", in->budget, "budget in yuan");
    cmd->add_option("--payment", in->payment_method,
                    "payment method: " + one_of(model::payment_methods()));
    cmd->add_option("--company", in->company, "company or employer");
    cmd->add_option("--address", in->address, "home or office address");
    cmd->add_option("--notes", in->household_notes, "household notes (family, decision makers)");
    cmd->add_option("--birthday", in->birthday, "YYYY-MM-DD (for birthday greetings)");
    cmd->add_option("--next-visit", in->next_visit, "planned visit date YYYY-MM-DD");
    cmd->add_flag("--allow-duplicate", in->allow_duplicate_phone,
                  "register even if a phone already belongs to someone in the book");
    on_book_run(cmd, context, [context, in]() -> Status {
        FC_ASSIGN(auto book, context->open());
        auto id = book->register_prospect(*in);
        if (!id.ok() && id.error().code == ErrorCode::already_exists) {
            Error e = id.take_error();
            e.message += " (--allow-duplicate)";
            return e;
        }
        if (!id.ok()) return id.take_error();
        std::cout << *id << '\n';
        return ok_status();
    });
}

void add_edit(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::string id;
        std::vector<std::string> sets;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("edit", "Edit fields of the customer information card");
    cmd->add_option("ID", args->id, "customer id")->required();
    cmd->add_option("--set", args->sets,
                    "field=value; repeat for several. Fields: name, phones, source, budget, "
                    "payment_method, trade_in, models_of_interest, birthday, company, address, "
                    "household_notes, next_visit. `null` clears a field; phones and "
                    "models_of_interest take comma-separated lists")
        ->required();
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto changes, card_changes(args->sets));
        FC_ASSIGN(auto book, context->open());
        FC_TRY(book->edit_card(args->id, changes));
        FC_ASSIGN(auto c, book->customer(args->id));
        std::cout << "Updated the card of " << c.name << '\n';
        return ok_status();
    });
}

void add_grade(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::string id, grade, reason;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("grade",
                                      "Change an active prospect's grade; the change is "
                                      "recorded for the manager's review");
    cmd->add_option("ID", args->id, "customer id")->required();
    cmd->add_option("GRADE", args->grade, "the new grade: " + one_of(model::grades()))->required();
    cmd->add_option("--reason", args->reason, "why the grade changes (the manager reviews it)")
        ->required();
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_TRY(book->change_grade(args->id, args->grade, args->reason));
        FC_ASSIGN(auto c, book->customer(args->id));
        std::cout << c.name << " is now grade " << grade_text(c.grade) << '\n';
        return ok_status();
    });
}

void add_vehicle_options(CLI::App* cmd, VehicleInput& v) {
    cmd->add_option("--model", v.model, "vehicle model, e.g. \"Horizon X5\"")->required();
    cmd->add_option("--vin", v.vin, "vehicle identification number (17 characters)");
    cmd->add_option("--plate", v.plate, "licence plate");
    cmd->add_option("--colour", v.colour, "colour");
    cmd->add_option("--purchase-date", v.purchase_date, "YYYY-MM-DD");
    cmd->add_option("--delivery", v.delivery_date,
                    "delivery date YYYY-MM-DD (the agenda plans callbacks 3 and 30 days after)");
    cmd->add_option("--mileage", v.mileage, "odometer reading in km");
    cmd->add_option("--insurance-expiry", v.insurance_expiry,
                    "YYYY-MM-DD (the agenda reminds 30 days before)");
    cmd->add_option("--next-maintenance", v.next_maintenance,
                    "YYYY-MM-DD (the agenda reminds 14 days before)");
}

void add_won(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::string id;
        VehicleInput vehicle;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("won",
                                      "Mark a prospect won: it becomes a base customer "
                                      "owning the vehicle bought");
    cmd->add_option("ID", args->id, "customer id")->required();
    add_vehicle_options(cmd, args->vehicle);
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        VehicleInput vehicle = args->vehicle;
        if (!vehicle.purchase_date) vehicle.purchase_date = book->today().to_string();
        FC_TRY(book->mark_won(args->id, vehicle));
        FC_ASSIGN(auto c, book->customer(args->id));
        std::cout << c.name << " is now a base customer, with a " << vehicle.model << '\n';
        return ok_status();
    });
}

void add_lost(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::string id, reason;
        std::optional<std::string> note;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("lost",
                                      "Mark a prospect lost (战败); open follow-ups are "
                                      "cancelled");
    cmd->add_option("ID", args->id, "customer id")->required();
    cmd->add_option("--reason", args->reason, "loss reason: " + one_of(model::loss_reasons()))
        ->required();
    cmd->add_option("--note", args->note, "what happened, in a sentence");
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_TRY(book->mark_lost(args->id, args->reason, args->note));
        FC_ASSIGN(auto c, book->customer(args->id));
        std::cout << c.name << " is lost: " << label_of(model::loss_reasons(), c.loss_reason)
                  << '\n';
        return ok_status();
    });
}

void add_vehicle(CLI::App& tablet, const TabletContextPtr& context) {
    struct Args {
        std::string id;
        VehicleInput vehicle;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = tablet.add_subcommand("vehicle", "Add a vehicle a customer owns; prints its id");
    cmd->add_option("ID", args->id, "customer id")->required();
    add_vehicle_options(cmd, args->vehicle);
    on_book_run(cmd, context, [context, args]() -> Status {
        FC_ASSIGN(auto book, context->open());
        FC_ASSIGN(auto id, book->add_vehicle(args->id, args->vehicle));
        std::cout << id << '\n';
        return ok_status();
    });
}

}  // namespace

void add_customer_commands(CLI::App& tablet, const TabletContextPtr& context) {
    add_register(tablet, context);
    add_edit(tablet, context);
    add_grade(tablet, context);
    add_won(tablet, context);
    add_lost(tablet, context);
    add_vehicle(tablet, context);
}

}  // namespace forecourt::cli
