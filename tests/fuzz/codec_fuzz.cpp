// libFuzzer target: every request decoder of the sync codec fed the same
// untrusted bytes; none may crash, throw or exceed its limits. A sync response
// read straight into typed changes must also be exactly what the document
// decoder reads, or fail with its error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "forecourt/sync/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace forecourt::sync;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    static const Limits limits;
    (void)decode_sync_request(body, limits);
    (void)decode_enrol_request(body, limits);
    (void)decode_consultant_input(body, limits);
    (void)decode_vehicle_models(body, limits);
    (void)decode_issue_code_request(body, limits);
    (void)decode_handover_request(body, limits);
    (void)decode_poke(body, limits);
    static const Limits tight = [] {
        Limits l;
        l.max_depth = 5;
        l.max_string_bytes = 16;
        l.max_array_length = 4;
        l.max_fields_per_change = 3;
        return l;
    }();
    for (const Limits* l : {&limits, &tight}) {
        const auto direct = decode_sync_response(body, *l);
        const auto document = decode_sync_response_document(body, *l);
        const bool same = direct.ok() == document.ok() &&
                          (direct.ok() ? *direct == *document
                                       : direct.error().code == document.error().code &&
                                             direct.error().message == document.error().message);
        if (!same) std::abort();
    }
    (void)decode_error(400, body);
    return 0;
}
