#include "server/api/csv.h"

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

}  // namespace helpline::server::api
