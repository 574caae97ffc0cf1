// Field lists of the synced tables. Columns id, store_id, owner_id and versions
// are common to every synced table and are not listed here.
#include "forecourt/core/model/record_schema.hpp"

#include <array>

namespace forecourt::model {
namespace {

using F = FieldSpec;
using T = FieldType;

constexpr std::array kCustomerFields{
    F{"kind", T::text, true},        F{"name", T::text, true},
    F{"phones", T::text_array},      F{"grade", T::text},
    F{"status", T::text, true},      F{"loss_reason", T::text},
    F{"loss_note", T::text},         F{"source", T::text},
    F{"budget", T::integer},         F{"payment_method", T::text},
    F{"trade_in", T::text},          F{"models_of_interest", T::text_array},
    F{"birthday", T::date},          F{"company", T::text},
    F{"address", T::text},           F{"household_notes", T::text},
    F{"next_visit", T::date},        F{"created_at", T::instant, true},
    F{"closed_at", T::instant},
};

constexpr std::array kVehicleFields{
    F{"customer_id", T::text, true}, F{"model", T::text, true},
    F{"vin", T::text},               F{"plate", T::text},
    F{"colour", T::text},            F{"purchase_date", T::date},
    F{"delivery_date", T::date},     F{"mileage", T::integer},
    F{"insurance_expiry", T::date},  F{"next_maintenance", T::date},
};

constexpr std::array kContactFields{
    F{"customer_id", T::text, true}, F{"consultant_id", T::text, true},
    F{"at", T::instant, true},       F{"kind", T::text, true},
    F{"purpose", T::text, true},     F{"outcome", T::text},
    F{"notes", T::text},             F{"grade_after", T::text},
    F{"next_contact", T::date},
};

constexpr std::array kFollowUpFields{
    F{"customer_id", T::text, true}, F{"consultant_id", T::text, true},
    F{"due", T::date, true},         F{"kind", T::text, true},
    F{"purpose", T::text, true},     F{"notes", T::text},
    F{"status", T::text, true},      F{"closed_at", T::instant},
    F{"contact_id", T::text},        F{"cancel_reason", T::text},
};

constexpr std::array kTestDriveFields{
    F{"customer_id", T::text, true}, F{"consultant_id", T::text, true},
    F{"event_id", T::text},          F{"model", T::text, true},
    F{"licence_checked", T::boolean, true}, F{"started_at", T::instant, true},
    F{"ended_at", T::instant},       F{"route", T::text},
    F{"feedback", T::text},          F{"interest", T::integer},
};

constexpr std::array kEventFields{
    F{"name", T::text, true},  F{"kind", T::text, true}, F{"date", T::date, true},
    F{"location", T::text},    F{"models", T::text_array}, F{"notes", T::text},
};

constexpr std::array kGradeChangeFields{
    F{"customer_id", T::text, true}, F{"consultant_id", T::text, true},
    F{"at", T::instant, true},       F{"from_grade", T::text},
    F{"to_grade", T::text, true},    F{"reason", T::text},
};

constexpr std::array kConsultantFields{
    F{"name", T::text, true}, F{"phone", T::text}, F{"role", T::text}, F{"active", T::boolean},
};

constexpr std::array kVehicleModelFields{
    F{"name", T::text, true}, F{"brand", T::text}, F{"series", T::text}, F{"price", T::integer},
};

const std::array kTables{
    TableSpec{"consultants", TableKind::reference, kConsultantFields},
    TableSpec{"vehicle_models", TableKind::reference, kVehicleModelFields},
    TableSpec{"customers", TableKind::mutable_record, kCustomerFields},
    TableSpec{"vehicles", TableKind::mutable_record, kVehicleFields},
    TableSpec{"events", TableKind::mutable_record, kEventFields},
    TableSpec{"follow_ups", TableKind::mutable_record, kFollowUpFields},
    TableSpec{"contacts", TableKind::append_only, kContactFields},
    TableSpec{"test_drives", TableKind::append_only, kTestDriveFields},
    TableSpec{"grade_changes", TableKind::append_only, kGradeChangeFields},
};

}  // namespace

const FieldSpec* TableSpec::field(std::string_view field_name) const {
    for (const auto& f : fields)
        if (f.name == field_name) return &f;
    return nullptr;
}

std::span<const TableSpec> synced_tables() { return kTables; }

const TableSpec* find_table(std::string_view name) {
    for (const auto& t : kTables)
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace forecourt::model
