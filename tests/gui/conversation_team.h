#pragma once
// The team's side of conversations for the GUI client tests, over the real server's API as
// an admin (who sees every ticket): read a conversation, write a message (with a file),
// close a ticket; and the device's own view of a conversation; the SHA-256 of a file.

#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"
#include "tests/support/test_client.h"

namespace helpline::gui::test {

/// The hex SHA-256 of `bytes`.
inline std::string sha256_hex(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    static const char* const kHex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xF];
    }
    return out;
}

inline std::string sha256_of_file(const std::filesystem::path& file) {
    return sha256_hex(helpline::test::read_text(file));
}

class Team {
  public:
    explicit Team(const helpline::test::ServerProcess& server) : server_(server) {
        helpline::test::CurlOptions login;
        login.method = "POST";
        login.headers = {"Content-Type: application/json"};
        login.body =
            nlohmann::json{{"email", server.admin_email()}, {"password", server.admin_password()}}
                .dump();
        auto session = helpline::test::curl_request(server.url("/api/v1/auth/login"), login);
        REQUIRE(session.status == 200);
        token_ = nlohmann::json::parse(session.body).at("token");
    }

    helpline::test::CurlResponse call(const std::string& method, const std::string& path,
                                      const std::string& body = {},
                                      std::vector<std::string> headers = {}) const {
        helpline::test::CurlOptions o;
        o.method = method;
        o.body = body;
        o.headers = std::move(headers);
        o.headers.push_back("Authorization: Bearer " + token_);
        if (!body.empty() && method != "PUT") o.headers.push_back("Content-Type: application/json");
        return helpline::test::curl_request(server_.url(path), o);
    }

    nlohmann::json conversation(std::int64_t number) const {
        auto r = call("GET", "/api/v1/tickets/" + std::to_string(number) + "/messages");
        INFO(r.body);
        REQUIRE(r.status == 200);
        return nlohmann::json::parse(r.body);
    }

    nlohmann::json queue() const {
        auto r = call("GET", "/api/v1/queue");
        REQUIRE(r.status == 200);
        return nlohmann::json::parse(r.body).at("tickets");
    }

    /// An operator's message, with a file when `file_name` is given.
    nlohmann::json write(std::int64_t number, const std::string& text,
                         const std::string& file_name = {}, const std::string& bytes = {},
                         const std::string& type = "application/octet-stream") const {
        nlohmann::json body = {{"body", text}};
        if (!file_name.empty()) {
            auto up = call("PUT",
                           "/api/v1/tickets/" + std::to_string(number) + "/attachments/" +
                               helpline::test::new_uuid(),
                           bytes, {"Content-Type: " + type, "X-Helpline-File-Name: " + file_name});
            INFO(up.body);
            REQUIRE(up.status == 201);
            body["attachments"] = {nlohmann::json::parse(up.body).at("id")};
        }
        auto r = call("POST", "/api/v1/tickets/" + std::to_string(number) + "/messages",
                      body.dump(), {"Idempotency-Key: " + helpline::test::new_uuid()});
        INFO(r.body);
        REQUIRE(r.status == 201);
        return nlohmann::json::parse(r.body);
    }

    void close(std::int64_t number) const {
        auto r = call("POST", "/api/v1/tickets/" + std::to_string(number) + "/close", "{}");
        INFO(r.body);
        REQUIRE(r.status == 200);
    }

  private:
    const helpline::test::ServerProcess& server_;
    std::string token_;
};

/// The conversation as the device sees it (its read mark, no internal notes).
inline nlohmann::json device_conversation(const helpline::test::ServerProcess& server,
                                          const std::string& device_token, std::int64_t number) {
    helpline::test::CurlOptions o;
    o.headers = {"Authorization: Bearer " + device_token};
    auto r = helpline::test::curl_request(
        server.url("/api/v1/tickets/" + std::to_string(number) + "/messages"), o);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return nlohmann::json::parse(r.body);
}

}  // namespace helpline::gui::test
