#pragma once
// Path normalisation and routing. Authorization is checked on the normalised path, so
// "//api/v1/queue/", "/api/v1/%71ueue" and "/api/v1/queue" are one route; a segment that
// decodes to something containing '/' or NUL, or "." / "..", is refused (400).
// Paths are case-sensitive: "/API/v1/queue" is simply not found.

#include <map>
#include <string>
#include <vector>

#include "server/http/message.h"
#include "shared/result.h"

namespace helpline::server::http {

struct NormalizedTarget {
    std::string path;                    ///< "/" + segments joined by "/"
    std::vector<std::string> segments;   ///< percent-decoded
    std::map<std::string, std::string> query;  ///< decoded ('+' is a space); last value wins
};

/// Splits `target` at '?', percent-decodes, drops empty segments (from "//" and a
/// trailing "/"). Errors (code "http.bad_target") for bad escapes, '.'/'..' segments,
/// decoded '/' or NUL, and targets not starting with '/'.
Result<NormalizedTarget> normalize_target(std::string_view target);

class Router {
public:
    /// `pattern`: "/api/v1/tickets/{number}/close"; "{name}" matches one segment. A last
    /// part "{name...}" matches one or more segments: the parameter is them joined by "/"
    /// (each is already decoded and validated, so none holds '/', NUL, "." or "..").
    void add(std::string method, const std::string& pattern, Handler handler);

    /// Dispatches `request` (whose path/segments are already normalised): fills
    /// request.params and calls the handler; 404 when no pattern matches the path, 405
    /// with an Allow header when one does but not for this method. Literal segments win
    /// over parameters ("/x/me" before "/x/{id}"), and one-segment parameters over a trailing
    /// "{name...}" ("/x/{id}" before "/x/{rest...}").
    Response route(Request& request) const;

private:
    struct Route {
        std::string method;
        std::vector<std::string> parts;  ///< literal, "{name}", or a last "{name...}"
        Handler handler;
    };
    std::vector<Route> routes_;
};

}  // namespace helpline::server::http
