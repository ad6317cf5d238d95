#pragma once
// The team's side of conversations for the GUI client tests (tests/support/team_api.h), the
// device's own view of a conversation, the SHA-256 of a file.

#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"
#include "tests/support/team_api.h"
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

using helpline::test::Team;

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
