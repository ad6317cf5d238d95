#include "server/http/router.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>

#include "server/http/problem.h"

namespace helpline::server::http {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Percent-decodes `text`; nullopt on a '%' not followed by two hex digits. In a query
/// '+' stands for a space (HTML forms); in a path it is just '+'.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (text.size() - i < 3) return std::nullopt;
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

Error bad_target(std::string_view target, std::string reason) {
    return make_error("http.bad_target", "The request target is not valid: " + reason + ".",
                      std::string(target));
}

bool is_param(const std::string& part) {
    return part.size() >= 2 && part.front() == '{' && part.back() == '}';
}

bool is_tail(const std::string& part) {
    return part.size() >= 5 && part.front() == '{' && part.compare(part.size() - 4, 4, "...}") == 0;
}

/// The parameter's name: "{id}" -> "id", "{rest...}" -> "rest".
std::string param_name(const std::string& part) {
    return part.substr(1, part.size() - (is_tail(part) ? 5 : 2));
}

/// 0 literal, 1 one-segment parameter, 2 trailing "{name...}": the lower, the more specific.
int kind_of(const std::string& part) {
    return is_tail(part) ? 2 : is_param(part) ? 1 : 0;
}

std::vector<std::string> split_pattern(const std::string& pattern) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= pattern.size()) {
        const auto slash = pattern.find('/', start);
        const auto end = slash == std::string::npos ? pattern.size() : slash;
        if (end > start) parts.push_back(pattern.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

bool matches(const std::vector<std::string>& parts, const std::vector<std::string>& segments) {
    const bool tail = !parts.empty() && is_tail(parts.back());
    if (tail ? segments.size() < parts.size() : parts.size() != segments.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i)
        if (!is_param(parts[i]) && parts[i] != segments[i]) return false;
    return true;
}

/// Orders pattern shapes by specificity: at the first position where their kinds differ,
/// a literal beats a parameter, which beats a trailing "{name...}". Returns <0 when `a` is
/// more specific.
int compare_specificity(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        const int ka = kind_of(a[i]);
        const int kb = kind_of(b[i]);
        if (ka != kb) return ka < kb ? -1 : 1;
    }
    return 0;
}

}  // namespace

Result<NormalizedTarget> normalize_target(std::string_view target) {
    if (target.empty() || target.front() != '/')
        return bad_target(target, "it must start with '/'");

    const auto question = target.find('?');
    const auto raw_path = target.substr(0, question);
    const auto raw_query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    NormalizedTarget out;
    std::size_t start = 0;
    while (start <= raw_path.size()) {
        const auto slash = raw_path.find('/', start);
        const auto end = slash == std::string_view::npos ? raw_path.size() : slash;
        const auto raw = raw_path.substr(start, end - start);
        start = end + 1;
        if (raw.empty()) continue;  // "//" and a trailing '/' name the same resource
        auto segment = percent_decode(raw, false);
        if (!segment) return bad_target(target, "a path segment has a malformed '%' escape");
        if (segment->find('/') != std::string::npos || segment->find('\0') != std::string::npos)
            return bad_target(target, "a path segment decodes to '/' or NUL");
        // Refused rather than resolved: a client has no business sending them, and
        // resolving them is where path-traversal bugs live.
        if (*segment == "." || *segment == "..")
            return bad_target(target, "'.' and '..' segments are not allowed");
        out.segments.push_back(std::move(*segment));
    }
    out.path = "/";
    for (std::size_t i = 0; i < out.segments.size(); ++i) {
        if (i > 0) out.path += '/';
        out.path += out.segments[i];
    }

    start = 0;
    while (start < raw_query.size()) {
        const auto amp = raw_query.find('&', start);
        const auto end = amp == std::string_view::npos ? raw_query.size() : amp;
        const auto pair = raw_query.substr(start, end - start);
        start = end + 1;
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq), true);
        auto value = percent_decode(
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (!key || !value) return bad_target(target, "the query has a malformed '%' escape");
        // NUL is refused here too: values end up in C APIs and logs.
        if (key->find('\0') != std::string::npos || value->find('\0') != std::string::npos)
            return bad_target(target, "the query decodes to NUL");
        out.query[std::move(*key)] = std::move(*value);
    }
    return out;
}

void Router::add(std::string method, const std::string& pattern, Handler handler) {
    auto parts = split_pattern(pattern);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i)
        if (is_tail(parts[i]))
            throw std::invalid_argument("Router pattern '" + pattern +
                                        "': '{name...}' must be the last part.");
    routes_.push_back(Route{std::move(method), std::move(parts), std::move(handler)});
}

Response Router::route(Request& request) const {
    // First the most specific pattern shape that matches the path, then the method among
    // the routes of that shape. So "/x/me" is never taken as an id by "/x/{id}", even for
    // a method only "/x/{id}" has: that is a 405, not a surprise match.
    const Route* best = nullptr;
    for (const auto& route : routes_) {
        if (!matches(route.parts, request.segments)) continue;
        if (!best || compare_specificity(route.parts, best->parts) < 0) best = &route;
    }
    if (!best) return problem(404, "No resource at " + request.path + ".");

    std::vector<std::string> allowed;
    for (const auto& route : routes_) {
        if (!matches(route.parts, request.segments) ||
            compare_specificity(route.parts, best->parts) != 0)
            continue;
        if (route.method == request.method) {
            request.params.clear();
            for (std::size_t i = 0; i < route.parts.size(); ++i) {
                const auto& part = route.parts[i];
                if (is_tail(part)) {
                    std::string rest = request.segments[i];
                    for (std::size_t j = i + 1; j < request.segments.size(); ++j)
                        rest += "/" + request.segments[j];
                    request.params[param_name(part)] = std::move(rest);
                } else if (is_param(part)) {
                    request.params[param_name(part)] = request.segments[i];
                }
            }
            return route.handler(request);
        }
        if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end())
            allowed.push_back(route.method);
    }

    std::string allow;
    for (const auto& method : allowed) {
        if (!allow.empty()) allow += ", ";
        allow += method;
    }
    auto response = problem(405, request.method + " is not allowed on " + request.path + ".");
    response.header("Allow", std::move(allow));
    return response;
}

}  // namespace helpline::server::http
