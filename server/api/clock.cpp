#include "server/api/clock.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>

namespace helpline::server {

std::string format_time(Timestamp t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::optional<Timestamp> parse_time(std::string_view text) {
    std::tm tm{};
    std::string s(text);
    // Fractions of a second (what JavaScript's toISOString() writes: ".000Z") are dropped.
    if (s.size() > 21 && s.size() <= 30 && s[19] == '.' && s.back() == 'Z' &&
        std::all_of(s.begin() + 20, s.end() - 1, [](char c) { return c >= '0' && c <= '9'; }))
        s = s.substr(0, 19) + "Z";
    int consumed = 0;
    if (s.size() == 10) {
        if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) != 3 ||
            consumed != 10)
            return std::nullopt;
    } else if (s.size() == 20) {
        if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
            consumed != 20)
            return std::nullopt;
    } else {
        return std::nullopt;
    }
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<Timestamp>(timegm(&tm));
}

}  // namespace helpline::server
