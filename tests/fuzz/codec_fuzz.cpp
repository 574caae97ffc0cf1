// libFuzzer target: every request decoder of the sync codec fed the same
// untrusted bytes; none may crash, throw or exceed its limits.
#include <cstddef>
#include <cstdint>
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
    (void)decode_sync_response(body, limits);
    (void)decode_error(400, body);
    return 0;
}
