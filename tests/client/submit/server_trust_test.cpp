// How the client trusts its team server: a profile's `server.ca` (here the certificate of
// `helpline-server run --self-signed`) lets the client core reach a server the system's
// CAs do not know, with verification and pins still on; anything else is refused.
#include <catch2/catch.hpp>

#include "client/core/api_client.h"
#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"

using namespace helpline;
using namespace helpline::client;
using helpline::test::read_text;
using helpline::test::ServerProcess;
using helpline::test::source_path;
using helpline::test::TempDir;

namespace {

Result<ApiReply> livez(const ServerEndpoint& endpoint) {
    return ApiClient(endpoint).send({"GET", "/livez", std::nullopt, {}, std::chrono::seconds(10)});
}

std::string printed_pin(const std::string& output) {
    const std::string label = "pin (for a profile's server.pins): ";
    const auto at = output.find(label);
    if (at == std::string::npos) return "";
    const auto begin = at + label.size();
    return output.substr(begin, output.find('\n', begin) - begin);
}

}  // namespace

TEST_CASE("a profile's CA lets the client reach a self-signed server, and only that CA does") {
    TempDir dir;
    ServerProcess server(HELPLINE_SERVER_BIN, dir / "data");
    server.start({"--self-signed"});
    ServerEndpoint endpoint;
    endpoint.base_url = server.url("");
    endpoint.ca_pem = read_text(server.data() / "tls" / "self-signed-cert.pem");
    REQUIRE(endpoint.base_url.rfind("https://127.0.0.1:", 0) == 0);

    auto trusted = livez(endpoint);
    REQUIRE(trusted);
    CHECK(trusted->status == 200);

    SECTION("with the server's pin as well") {
        endpoint.pins = {printed_pin(server.output())};
        REQUIRE(endpoint.pins.front().rfind("sha256//", 0) == 0);
        auto pinned = livez(endpoint);
        REQUIRE(pinned);
        CHECK(pinned->status == 200);
        endpoint.pins = {"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="};
        auto wrong_pin = livez(endpoint);
        REQUIRE_FALSE(wrong_pin);
        CHECK(wrong_pin.error().code == net_error::kTls);
    }
    SECTION("the system's CAs alone do not know it") {
        endpoint.ca_pem.clear();
        auto refused = livez(endpoint);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == net_error::kTls);
        CHECK(refused.error().message.find(endpoint.base_url) != std::string::npos);
    }
    SECTION("another CA is not enough") {
        endpoint.ca_pem = read_text(source_path("tests/fixtures/tls/unrelated-ca.pem"));
        auto refused = livez(endpoint);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == net_error::kTls);
    }
}
