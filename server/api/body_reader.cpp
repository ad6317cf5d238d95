#include "server/api/body_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "shared/text.h"

namespace helpline::server::api {
namespace {

std::string type_name(const nlohmann::json& v) {
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "a boolean";
    if (v.is_number()) return "a number";
    if (v.is_null()) return "null";
    if (v.is_array()) return "an array";
    return "an object";
}

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string trim(std::string s) {
    const auto not_space = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
    s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
    return s;
}

}  // namespace

std::optional<http::Response> unless_json_content(const http::Request& request) {
    const auto type = request.header("Content-Type");
    const auto refuse = [](const std::string& why) {
        return http::problem(415, why + "Send the body as JSON with 'Content-Type: application/json'.");
    };
    if (!type) return refuse("The request has no Content-Type. ");
    // media-type = type "/" subtype *( ";" parameter ), case-insensitive (RFC 9110 §8.3.1).
    std::string_view rest = *type;
    const auto semicolon = rest.find(';');
    if (!iequals(trim_blanks(rest.substr(0, semicolon)), "application/json"))
        return refuse("'" + std::string(*type) + "' is not JSON. ");
    rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
    while (!rest.empty()) {
        const auto next = rest.find(';');
        const std::string_view parameter = trim_blanks(rest.substr(0, next));
        rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
        if (parameter.empty()) continue;
        const auto equals = parameter.find('=');
        if (equals == std::string_view::npos || equals == 0)
            return refuse("The Content-Type parameter '" + std::string(parameter) + "' is malformed. ");
        std::string_view value = trim_blanks(parameter.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        // JSON is UTF-8 (RFC 8259 §8.1); a body announced in another charset would be misread.
        if (iequals(trim_blanks(parameter.substr(0, equals)), "charset") && !iequals(value, "utf-8"))
            return refuse("JSON bodies must be UTF-8, not charset=" + std::string(value) + ". ");
    }
    return std::nullopt;
}

std::optional<std::int64_t> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

BodyReader::BodyReader(const http::Request& request, std::initializer_list<std::string_view> allowed) {
    if (auto refused = unless_json_content(request)) {
        failure_ = std::move(refused);
        return;
    }
    // nlohmann reads a NUL byte as the end of the text (for C strings): "{}\0…" would be
    // "{}". JSON never holds one (not even in a string, where it is written \u0000).
    if (request.body.find('\0') == std::string::npos) json_ = nlohmann::json::parse(request.body, nullptr, false);
    else json_ = nlohmann::json(nlohmann::json::value_t::discarded);
    if (json_.is_discarded()) {
        failure_ = http::problem(400, "The body is not valid JSON.");
        return;
    }
    if (!json_.is_object()) {
        failure_ = http::problem(400, "The body must be a JSON object.");
        return;
    }
    for (const auto& [key, value] : json_.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            std::string list;
            for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
            errors_.push_back({key, fmt::format("unknown field; allowed: {}", list)});
        }
    }
}

const nlohmann::json* BodyReader::field(const std::string& name, Need need) {
    const auto it = json_.find(name);
    if (it == json_.end() || (it->is_null() && need == Need::optional)) {
        if (need == Need::required) error(name, "is required");
        return nullptr;
    }
    return &*it;
}

std::optional<std::string> BodyReader::string(const std::string& name, Need need, std::size_t max_length) {
    const auto* v = field(name, need);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) {
        error(name, fmt::format("must be a string, got {}", type_name(*v)));
        return std::nullopt;
    }
    std::string s = trim(v->get<std::string>());
    if (s.empty() && need == Need::required) {
        error(name, "must not be empty");
        return std::nullopt;
    }
    if (utf8_length(s) > max_length) {
        error(name, fmt::format("is too long: at most {} characters", max_length));
        return std::nullopt;
    }
    if (s.find('\0') != std::string::npos) {
        error(name, "must not contain NUL characters");
        return std::nullopt;
    }
    return s;
}

std::optional<std::int64_t> BodyReader::integer(const std::string& name, Need need) {
    const auto* v = field(name, need);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer()) {
        error(name, fmt::format("must be an integer, got {}", type_name(*v)));
        return std::nullopt;
    }
    return v->get<std::int64_t>();
}

std::optional<bool> BodyReader::boolean(const std::string& name, Need need) {
    const auto* v = field(name, need);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) {
        error(name, fmt::format("must be true or false, got {}", type_name(*v)));
        return std::nullopt;
    }
    return v->get<bool>();
}

std::optional<std::vector<std::int64_t>> BodyReader::integer_array(const std::string& name, Need need) {
    const auto* v = field(name, need);
    if (v == nullptr) return std::nullopt;
    if (!v->is_array() || !std::all_of(v->begin(), v->end(), [](const auto& e) { return e.is_number_integer(); })) {
        error(name, "must be an array of integers");
        return std::nullopt;
    }
    return v->get<std::vector<std::int64_t>>();
}

void BodyReader::error(std::string field_name, std::string message) {
    errors_.push_back({std::move(field_name), std::move(message)});
}

http::Response BodyReader::problem() const {
    std::string detail = "The request has invalid fields: ";
    for (std::size_t i = 0; i < errors_.size(); ++i)
        detail += (i ? "; " : "") + errors_[i].field + " " + errors_[i].message;
    detail += ".";
    return http::problem(400, detail, errors_, "urn:helpline:problem:validation");
}

std::string email_domain(std::string_view email) {
    const auto at = email.rfind('@');
    std::string d(at == std::string_view::npos ? std::string_view{} : email.substr(at + 1));
    std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return d;
}

http::Response json_response(int status, const nlohmann::json& body) {
    http::Response r;
    r.status = status;
    r.body = body.dump();
    return r;
}

http::Response no_content() {
    http::Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

bool is_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

}  // namespace helpline::server::api
