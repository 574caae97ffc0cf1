// The store server's structured log: one JSON object per line to the LogSink.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "forecourt/platform/clock.hpp"
#include "forecourt/sync/net/store_server.hpp"

namespace forecourt::sync::net {

// One log line, built in place: LogEvent("request", remote).status(200).duration(12).
class LogEvent {
public:
    explicit LogEvent(std::string_view event, std::string_view remote = {})
        : event_(event), remote_(remote) {}

    LogEvent& warn() {
        level_ = "warn";
        return *this;
    }
    LogEvent& error() {
        level_ = "error";
        return *this;
    }
    LogEvent& status(int status) {
        status_ = status;
        return *this;
    }
    LogEvent& duration(std::int64_t ms) {
        duration_ms_ = ms;
        return *this;
    }
    // The path is the target without its query, which may carry ids.
    LogEvent& request(std::string_view method, std::string_view path) {
        method_ = method;
        path_ = path;
        return *this;
    }
    LogEvent& device(std::string_view device) {
        device_ = device;
        return *this;
    }
    LogEvent& detail(std::string_view detail) {
        detail_ = detail;
        return *this;
    }

private:
    friend class ServerLog;
    std::string_view level_ = "info";
    std::string_view event_;
    std::string_view remote_;
    int status_ = 0;
    std::int64_t duration_ms_ = -1;
    std::string_view method_;
    std::string_view path_;
    std::string_view device_;
    std::string_view detail_;
};

class ServerLog {
public:
    ServerLog(LogSink sink, const platform::Clock* clock);
    void write(const LogEvent& event) const;

private:
    LogSink sink_;
    const platform::Clock* clock_;
};

// "2025-11-25T12:03:04.123Z"
std::string iso8601_utc(platform::EpochMs ms);

}  // namespace forecourt::sync::net
