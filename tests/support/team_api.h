#pragma once
// The team's side of a real helpline-server in tests, as an admin (who sees every ticket),
// over the API: the queue, the conversation of a ticket, an operator's message (with a
// file), closing. Used by the CLI, GUI and Wine tests.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/server_process.h"
#include "tests/support/test_client.h"

namespace helpline::test {

/// The team's side, as an admin (who sees every ticket), over the API.
class Team {
  public:
    explicit Team(const ServerProcess& server) : server_(server) {
        CurlOptions login;
        login.method = "POST";
        login.headers = {"Content-Type: application/json"};
        login.body =
            nlohmann::json{{"email", server.admin_email()}, {"password", server.admin_password()}}
                .dump();
        auto session = curl_request(server.url("/api/v1/auth/login"), login);
        REQUIRE(session.status == 200);
        token_ = nlohmann::json::parse(session.body).at("token");
    }

    /// The admin's bearer token (for a viewer of the relay, say).
    const std::string& token() const { return token_; }

    CurlResponse call(const std::string& method, const std::string& path,
                      const std::string& body = {}, std::vector<std::string> headers = {}) const {
        CurlOptions o;
        o.method = method;
        o.body = body;
        o.headers = std::move(headers);
        o.headers.push_back("Authorization: Bearer " + token_);
        if (!body.empty() && method != "PUT") o.headers.push_back("Content-Type: application/json");
        return curl_request(server_.url(path), o);
    }

    nlohmann::json conversation(std::int64_t number) const {
        auto r = call("GET", "/api/v1/tickets/" + std::to_string(number) + "/messages");
        INFO(r.body);
        REQUIRE(r.status == 200);
        return nlohmann::json::parse(r.body);
    }

    /// An operator's message, with a file when `file_name` is given.
    nlohmann::json write(std::int64_t number, const std::string& text,
                         const std::string& file_name = {}, const std::string& bytes = {},
                         const std::string& type = "application/octet-stream") const {
        nlohmann::json body = {{"body", text}};
        if (!file_name.empty()) {
            auto up = call(
                "PUT", "/api/v1/tickets/" + std::to_string(number) + "/attachments/" + new_uuid(),
                bytes, {"Content-Type: " + type, "X-Helpline-File-Name: " + file_name});
            INFO(up.body);
            REQUIRE(up.status == 201);
            body["attachments"] = {nlohmann::json::parse(up.body).at("id")};
        }
        auto r = call("POST", "/api/v1/tickets/" + std::to_string(number) + "/messages",
                      body.dump(), {"Idempotency-Key: " + new_uuid()});
        INFO(r.body);
        REQUIRE(r.status == 201);
        return nlohmann::json::parse(r.body);
    }

    /// The open tickets (GET /api/v1/queue).
    nlohmann::json queue() const {
        auto r = call("GET", "/api/v1/queue");
        INFO(r.body);
        REQUIRE(r.status == 200);
        return nlohmann::json::parse(r.body).at("tickets");
    }

    void close(std::int64_t number) const {
        auto r = call("POST", "/api/v1/tickets/" + std::to_string(number) + "/close", "{}");
        INFO(r.body);
        REQUIRE(r.status == 200);
    }

  private:
    const ServerProcess& server_;
    std::string token_;
};

}  // namespace helpline::test
