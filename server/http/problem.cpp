#include "server/http/problem.h"

#include <nlohmann/json.hpp>

namespace helpline::server::http {

std::string_view status_title(int status) {
    switch (status) {
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 409: return "Conflict";
        case 413: return "Content Too Large";
        case 415: return "Unsupported Media Type";
        case 422: return "Unprocessable Content";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return status < 400 ? "OK" : "Error";
    }
}

namespace {

Response problem_document(int status, std::string detail, std::vector<FieldError> errors, std::string type,
                          std::string code) {
    nlohmann::ordered_json doc;
    doc["type"] = type.empty() ? "about:blank" : type;
    doc["title"] = status_title(status);
    doc["status"] = status;
    doc["detail"] = std::move(detail);
    if (!errors.empty()) {
        auto& list = doc["errors"] = nlohmann::ordered_json::array();
        for (auto& e : errors) list.push_back({{"field", std::move(e.field)}, {"message", std::move(e.message)}});
    }
    if (!code.empty()) doc["code"] = std::move(code);
    Response r;
    r.status = status;
    r.content_type = "application/problem+json";
    // The detail may quote the request (a path, a Content-Type, an Origin), whose bytes
    // need not be UTF-8: they are replaced by U+FFFD, where dump() would throw and turn a
    // 404 or a 415 into a 500.
    r.body = doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    return r;
}

}  // namespace

Response problem(int status, std::string detail, std::vector<FieldError> errors, std::string type) {
    return problem_document(status, std::move(detail), std::move(errors), std::move(type), {});
}

Response coded_problem(int status, std::string code, std::string detail, std::vector<FieldError> errors) {
    std::string type = "urn:helpline:problem:" + code;
    return problem_document(status, std::move(detail), std::move(errors), std::move(type), std::move(code));
}

}  // namespace helpline::server::http
