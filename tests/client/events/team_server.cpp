#include "tests/client/events/team_server.h"

#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "tests/support/test_client.h"

namespace helpline::test {
namespace {

nlohmann::json call(const ServerProcess& server, const std::string& method, const std::string& path,
                    const std::string& token, const nlohmann::json& body, long expected,
                    std::vector<std::string> headers = {}) {
    CurlOptions options;
    options.method = method;
    if (!body.is_null()) {
        options.body = body.dump();
        headers.push_back("Content-Type: application/json");
    }
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    options.headers = std::move(headers);
    const auto reply = curl_request(server.url(path), options);
    if (reply.status != expected)
        throw std::runtime_error(method + " " + path + " answered " + std::to_string(reply.status) +
                                 ": " + reply.body);
    return reply.body.empty() ? nlohmann::json() : nlohmann::json::parse(reply.body);
}

std::string uuid() {
    std::random_device random;
    std::uniform_int_distribution<int> nibble(0, 15);
    std::string out;
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
        out += "0123456789abcdef"[i == 12 ? 4 : nibble(random)];
    }
    return out;
}

}  // namespace

TestDevice register_device(const ServerProcess& server, const std::string& profile_id) {
    const auto reply =
        call(server, "POST", "/api/v1/devices", "",
             {{"profile_id", profile_id}, {"hostname", "test-host"}, {"os", "linux"}}, 201);
    return {reply.at("device_id").get<std::string>(), reply.at("device_token").get<std::string>()};
}

std::string admin_token(const ServerProcess& server) {
    const auto reply =
        call(server, "POST", "/api/v1/auth/login", "",
             {{"email", server.admin_email()}, {"password", server.admin_password()}}, 200);
    return reply.at("token").get<std::string>();
}

std::int64_t create_ticket(const ServerProcess& server, const std::string& device_token) {
    const auto reply = call(server, "POST", "/api/v1/tickets", device_token,
                            {{"email", "customer@acme.example"},
                             {"description", "The printer is on fire."},
                             {"group_id", "helpdesk"}},
                            201, {"Idempotency-Key: " + uuid()});
    return reply.at("number").get<std::int64_t>();
}

std::string connect_ticket(const ServerProcess& server, const std::string& admin_token,
                           std::int64_t number) {
    const auto reply =
        call(server, "POST", "/api/v1/tickets/" + std::to_string(number) + "/connect", admin_token,
             nullptr, 201);
    return reply.at("request_id").get<std::string>();
}

nlohmann::json request_view(const ServerProcess& server, const std::string& admin_token,
                            const std::string& id) {
    return call(server, "GET", "/api/v1/connection-requests/" + id, admin_token, nullptr, 200);
}

std::string request_state(const ServerProcess& server, const std::string& admin_token,
                          const std::string& id) {
    return request_view(server, admin_token, id).at("state").get<std::string>();
}

}  // namespace helpline::test
