// Wall-clock time behind an interface, so rules and sync can run on an injected clock.
#pragma once

#include <atomic>
#include <cstdint>

namespace forecourt::platform {

// Milliseconds since the Unix epoch, UTC.
using EpochMs = std::int64_t;

class Clock {
public:
    virtual ~Clock() = default;
    virtual EpochMs now_ms() const = 0;
    // Minutes east of UTC for the consultant's local day (e.g. +480 for China).
    virtual int utc_offset_minutes() const = 0;
};

// The operating system's clock and time zone.
class SystemClock final : public Clock {
public:
    EpochMs now_ms() const override;
    int utc_offset_minutes() const override;
};

// A clock that only moves when told to; for tests and simulations.
class ManualClock final : public Clock {
public:
    explicit ManualClock(EpochMs start, int utc_offset_minutes = 0)
        : now_(start), offset_(utc_offset_minutes) {}
    EpochMs now_ms() const override { return now_.load(); }
    int utc_offset_minutes() const override { return offset_; }
    void set(EpochMs t) { now_.store(t); }
    void advance(EpochMs delta) { now_.fetch_add(delta); }

private:
    std::atomic<EpochMs> now_;
    int offset_;
};

// The process-wide system clock.
const Clock& system_clock();

}  // namespace forecourt::platform
