// The operating system's clock.
#include "forecourt/platform/clock.hpp"

#include <chrono>
#include <ctime>

namespace forecourt::platform {

EpochMs SystemClock::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int SystemClock::utc_offset_minutes() const {
    std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    return static_cast<int>(local.tm_gmtoff / 60);
}

const Clock& system_clock() {
    static const SystemClock clock;
    return clock;
}

}  // namespace forecourt::platform
