// The server's HTTP request handling up to the handler: the bytes of a connection through
// Beast's parser (fuzz/http_input.*), the router on the normalised path, then the body
// reader with the field set of the endpoint the request reached (server/api/*_api.cpp)
// and the headers the handlers look at. Every answer before a handler's own work must be
// a problem document that is valid JSON, whatever bytes the request held.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/http_input.h"
#include "server/api/body_reader.h"
#include "server/http/router.h"

namespace {

using helpline::server::api::BodyReader;
using helpline::server::api::Need;
namespace http = helpline::server::http;

enum class Type { string, integer, boolean, integers };

struct FieldSpec {
    const char* name;
    Type type;
    Need need;
    std::size_t max_length = 0;
};

struct Endpoint {
    const char* method;
    const char* pattern;
    /// The handler's BodyReader with its allowed fields (an initializer_list cannot be kept).
    BodyReader (*open)(const http::Request&);
    std::vector<FieldSpec> fields;
};

constexpr auto kReq = Need::required;
constexpr auto kOpt = Need::optional;

/// The endpoints that read a JSON body, with their field sets as their handlers read them.
const std::vector<Endpoint>& endpoints() {
    static const std::vector<Endpoint> list = {
        {"POST", "/api/v1/devices", [](const http::Request& r) { return BodyReader(r, {"profile_id", "hostname", "os", "client_version"}); },
         {{"profile_id", Type::string, kReq, 40}, {"hostname", Type::string, kOpt, 255},
          {"os", Type::string, kOpt, 255}, {"client_version", Type::string, kOpt, 64}}},
        {"POST", "/api/v1/tickets", [](const http::Request& r) { return BodyReader(r, {"email", "description", "group_id", "priority", "subject"}); },
         {{"email", Type::string, kReq, 254}, {"description", Type::string, kReq, 5000},
          {"group_id", Type::string, kOpt, 40}, {"priority", Type::string, kOpt, 10},
          {"subject", Type::string, kOpt, 200}}},
        {"POST", "/api/v1/connection-requests/{id}/accept", [](const http::Request& r) { return BodyReader(r, {"vnc_password"}); },
         {{"vnc_password", Type::string, kReq, 64}}},
        {"POST", "/api/v1/connection-requests/{id}/decline", [](const http::Request& r) { return BodyReader(r, {"reason"}); }, {}},
        {"POST", "/api/v1/auth/login", [](const http::Request& r) { return BodyReader(r, {"email", "password"}); },
         {{"email", Type::string, kReq, 254}, {"password", Type::string, kReq, 1024}}},
        {"POST", "/api/v1/auth/login/two-factor", [](const http::Request& r) { return BodyReader(r, {"challenge", "code", "recovery_code"}); },
         {{"challenge", Type::string, kReq, 100}, {"code", Type::string, kOpt, 20},
          {"recovery_code", Type::string, kOpt, 40}}},
        {"PATCH", "/api/v1/account", [](const http::Request& r) { return BodyReader(r, {"notify_email", "language"}); },
         {{"notify_email", Type::boolean, kOpt}, {"language", Type::string, kOpt, 10}}},
        {"POST", "/api/v1/account/password", [](const http::Request& r) { return BodyReader(r, {"current", "new"}); },
         {{"current", Type::string, kReq, 1024}, {"new", Type::string, kReq, 1024}}},
        {"POST", "/api/v1/account/two-factor/confirm", [](const http::Request& r) { return BodyReader(r, {"code"}); }, {{"code", Type::string, kReq, 20}}},
        {"DELETE", "/api/v1/account/two-factor", [](const http::Request& r) { return BodyReader(r, {"password"}); }, {{"password", Type::string, kReq, 1024}}},
        {"PATCH", "/api/v1/tickets/{number}", [](const http::Request& r) { return BodyReader(r, {"priority", "group_id", "operator_id"}); },
         {{"priority", Type::string, kOpt, 10}, {"group_id", Type::string, kOpt, 40},
          {"operator_id", Type::integer, kOpt}}},
        {"POST", "/api/v1/tickets/{number}/messages", [](const http::Request& r) { return BodyReader(r, {"body", "attachments", "internal"}); },
         {{"body", Type::string, kOpt, 10000}, {"attachments", Type::integers, kOpt},
          {"internal", Type::boolean, kOpt}}},
        {"PUT", "/api/v1/tickets/{number}/read", [](const http::Request& r) { return BodyReader(r, {"message_id"}); }, {{"message_id", Type::integer, kReq}}},
        {"PUT", "/api/v1/settings/attachments", [](const http::Request& r) { return BodyReader(r, {"retention_days"}); }, {{"retention_days", Type::integer, kReq}}},
        {"POST", "/api/v1/invitations/{token}", [](const http::Request& r) { return BodyReader(r, {"password"}); }, {{"password", Type::string, kReq, 1024}}},
        {"POST", "/api/v1/users", [](const http::Request& r) { return BodyReader(r, {"email", "name", "role", "password", "notify_email"}); },
         {{"email", Type::string, kReq, 254}, {"name", Type::string, kReq, 100},
          {"role", Type::string, kOpt, 20}, {"password", Type::string, kOpt, 1024},
          {"notify_email", Type::boolean, kOpt}}},
        {"PATCH", "/api/v1/users/{id}", [](const http::Request& r) { return BodyReader(r, {"name", "role", "password", "disabled", "notify_email"}); },
         {{"name", Type::string, kOpt, 100}, {"role", Type::string, kOpt, 20},
          {"password", Type::string, kOpt, 1024}, {"disabled", Type::boolean, kOpt},
          {"notify_email", Type::boolean, kOpt}}},
        {"POST", "/api/v1/groups", [](const http::Request& r) { return BodyReader(r, {"id", "name"}); },
         {{"id", Type::string, kReq, 200}, {"name", Type::string, kReq, 100}}},
        {"PATCH", "/api/v1/groups/{id}", [](const http::Request& r) { return BodyReader(r, {"name"}); }, {{"name", Type::string, kReq, 100}}},
        {"PUT", "/api/v1/groups/{id}/members", [](const http::Request& r) { return BodyReader(r, {"user_ids", "users"}); }, {{"user_ids", Type::integers, kReq}}},
        {"POST", "/api/v1/organizations", [](const http::Request& r) { return BodyReader(r, {"domain", "name"}); },
         {{"domain", Type::string, kReq, 253}, {"name", Type::string, kReq, 100}}},
        {"PATCH", "/api/v1/organizations/{domain}", [](const http::Request& r) { return BodyReader(r, {"name"}); }, {{"name", Type::string, kReq, 100}}},
        {"PUT", "/api/v1/settings/two-factor", [](const http::Request& r) { return BodyReader(r, {"required"}); }, {{"required", Type::boolean, kReq}}},
    };
    return list;
}

void check_document(const http::Response& response) {
    if (response.content_type != "application/problem+json" && response.content_type != "application/json")
        return;
    if (!nlohmann::json::accept(response.body)) std::abort();
}

http::Response read_body(const http::Request& request, const Endpoint& endpoint) {
    BodyReader body = endpoint.open(request);
    if (body.failure()) return *body.failure();
    for (const auto& field : endpoint.fields) {
        const std::string name = field.name;
        switch (field.type) {
            case Type::string: {
                const auto value = body.string(name, field.need, field.max_length);
                if (value && value->find('\0') != std::string::npos) std::abort();
                break;
            }
            case Type::integer: (void)body.integer(name, field.need); break;
            case Type::boolean: (void)body.boolean(name, field.need); break;
            case Type::integers: (void)body.integer_array(name, field.need); break;
        }
    }
    if (body.has("reason") && !body.is_null("reason")) (void)body.json()["reason"].is_string();
    if (!body.ok()) return body.problem();
    return helpline::server::api::no_content();
}

const http::Router& router() {
    static const http::Router r = [] {
        http::Router made;
        for (const auto& endpoint : endpoints())
            made.add(endpoint.method, endpoint.pattern,
                     [&endpoint](const http::Request& request) { return read_body(request, endpoint); });
        made.add("GET", "/api/v1/files/{rest...}", [](const http::Request&) { return http::Response{}; });
        return made;
    }();
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    helpline::fuzz::for_each_request(bytes, [](http::Request& request) {
        (void)request.bearer();
        (void)request.cookie("helpline_session");
        (void)helpline::server::api::unless_json_content(request);
        check_document(router().route(request));
    });
    return 0;
}
