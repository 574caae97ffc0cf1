// Formats server events as JSON lines; a sink that throws never takes the server down.
#include "server_log.hpp"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace forecourt::sync::net {

ServerLog::ServerLog(LogSink sink, const platform::Clock* clock)
    : sink_(std::move(sink)), clock_(clock ? clock : &platform::system_clock()) {}

std::string iso8601_utc(platform::EpochMs ms) {
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                  parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                  static_cast<int>(ms % 1000));
    return text;
}

void ServerLog::write(const LogEvent& event) const {
    if (!sink_) return;
    nlohmann::json line = {
        {"time", iso8601_utc(clock_->now_ms())}, {"level", event.level_}, {"event", event.event_}};
    if (!event.remote_.empty()) line["remote"] = event.remote_;
    if (!event.method_.empty()) line["method"] = event.method_;
    if (!event.path_.empty()) line["path"] = event.path_;
    if (event.status_ != 0) line["status"] = event.status_;
    if (event.duration_ms_ >= 0) line["duration_ms"] = event.duration_ms_;
    if (!event.device_.empty()) line["device"] = event.device_;
    if (!event.detail_.empty()) line["detail"] = event.detail_;
    try {
        sink_(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } catch (...) {
        // Losing a log line is better than losing the connection that produced it.
    }
}

}  // namespace forecourt::sync::net
