#include "server/api/csv.h"

#include <fmt/format.h>

#include <algorithm>

namespace helpline::server::api {

std::string csv_field(std::string_view value, bool text) {
    std::string v;
    if (text && !value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos)
        v += '\'';
    v += value;
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string quoted = "\"";
    for (const char c : v) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string csv_record(const std::vector<std::string>& fields) {
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) line += ',';
        line += fields[i];
    }
    line += "\r\n";
    return line;
}

http::Response csv_download(std::string body, std::string_view name, Timestamp now) {
    std::string stamp = format_time(now);  // 2026-12-06T03:49:12Z -> 20261206-034912
    std::erase_if(stamp, [](char c) { return c == '-' || c == ':' || c == 'Z'; });
    std::replace(stamp.begin(), stamp.end(), 'T', '-');
    http::Response r;
    r.status = 200;
    r.content_type = "text/csv; charset=utf-8";
    r.body = std::move(body);
    r.header("Content-Disposition", fmt::format("attachment; filename=\"{}-{}.csv\"", name, stamp));
    return r;
}

}  // namespace helpline::server::api
