// Requests through a TLS-terminating proxy on the same host: never taken for local ones,
// and, when the proxy is trusted, limited per the address it forwards.
#include "server/api/client_address.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;

namespace {

http::Request from(const std::string& peer, std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request r;
    r.remote_address = peer;
    for (auto& [n, v] : headers) r.headers.add(n, v);
    return r;
}

}  // namespace

TEST_CASE("a request naming a forwarded client is never local") {
    CHECK(api::is_local_request(from("127.0.0.1")));
    CHECK(api::is_local_request(from("::1")));
    CHECK_FALSE(api::is_local_request(from("192.0.2.7")));
    for (const char* header : {"X-Forwarded-For", "x-forwarded-for", "Forwarded", "X-Real-IP"}) {
        INFO(header);
        CHECK(api::is_forwarded(from("127.0.0.1", {{header, "203.0.113.9"}})));
        CHECK_FALSE(api::is_local_request(from("127.0.0.1", {{header, "203.0.113.9"}})));
    }
    // Even when it claims to be local: the header means a proxy is in between.
    CHECK_FALSE(api::is_local_request(from("127.0.0.1", {{"X-Forwarded-For", "127.0.0.1"}})));
}

TEST_CASE("the forwarded address is the last entry of the last X-Forwarded-For, if it is an IP") {
    CHECK(api::last_forwarded_for(from("127.0.0.1", {{"X-Forwarded-For", "203.0.113.9"}})) == "203.0.113.9");
    CHECK(api::last_forwarded_for(from("127.0.0.1", {{"X-Forwarded-For", "10.0.0.1, 198.51.100.4"}})) ==
          "198.51.100.4");
    CHECK(api::last_forwarded_for(
              from("127.0.0.1", {{"X-Forwarded-For", "10.0.0.1"}, {"X-Forwarded-For", " 2001:db8::7 "}})) ==
          "2001:db8::7");
    for (const char* bad : {"", "unknown", "198.51.100.4:5678", "198.51.100.4 junk", "10.0.0.1, ", "::g"}) {
        INFO(bad);
        CHECK(api::last_forwarded_for(from("127.0.0.1", {{"X-Forwarded-For", bad}})).empty());
    }
    CHECK(api::last_forwarded_for(from("127.0.0.1", {{"Forwarded", "for=203.0.113.9"}})).empty());
}

TEST_CASE("the client address is the peer's unless a trusted proxy on loopback forwards one") {
    Config config;
    const auto proxied = from("127.0.0.1", {{"X-Forwarded-For", "198.51.100.4"}});
    CHECK(api::client_address(proxied, config) == "127.0.0.1");  // off by default
    config.trust_forwarded_for = true;
    CHECK(api::client_address(proxied, config) == "198.51.100.4");
    // Only a proxy on this host is trusted: a remote peer cannot choose its own address.
    CHECK(api::client_address(from("192.0.2.7", {{"X-Forwarded-For", "198.51.100.4"}}), config) == "192.0.2.7");
    CHECK(api::client_address(from("127.0.0.1", {{"X-Forwarded-For", "not-an-ip"}}), config) == "127.0.0.1");
    CHECK(api::client_address(from("127.0.0.1"), config) == "127.0.0.1");
}

TEST_CASE_METHOD(ApiFixture, "metrics through a local proxy need an admin") {
    const std::string admin = user("boss@team.example", Role::admin);
    const std::string op = user("ana@team.example", Role::operator_);
    CHECK(call("GET", "/metrics").status == 200);
    CHECK(call("GET", "/metrics", {}, nullptr, {{"X-Forwarded-For", "203.0.113.9"}}).status == 401);
    CHECK(call("GET", "/metrics", {}, nullptr, {{"Forwarded", "for=203.0.113.9;proto=https"}}).status == 401);
    CHECK(call("GET", "/metrics", op, nullptr, {{"X-Forwarded-For", "203.0.113.9"}}).status == 403);
    CHECK(call("GET", "/metrics", admin, nullptr, {{"X-Forwarded-For", "203.0.113.9"}}).status == 200);
    config.trust_forwarded_for = true;  // trusting the proxy does not make its clients local
    CHECK(call("GET", "/metrics", {}, nullptr, {{"X-Forwarded-For", "127.0.0.1"}}).status == 401);
}

TEST_CASE_METHOD(ApiFixture, "a trusted proxy's clients each get their own sign-in allowance") {
    config.login_attempts_per_minute = 2;
    const auto attempt = [&](const std::string& forwarded_for) {
        return call("POST", "/api/v1/auth/login", {}, {{"email", "x" + random_hex(4) + "@team.example"}, {"password", "nope"}},
                    {{"X-Forwarded-For", forwarded_for}})
            .status;
    };
    SECTION("untrusted: everyone behind the proxy shares the proxy's allowance") {
        CHECK(attempt("198.51.100.1") == 401);
        CHECK(attempt("198.51.100.2") == 401);
        CHECK(attempt("198.51.100.3") == 429);
    }
    SECTION("trusted: the allowance is per forwarded address, and audited with it") {
        config.trust_forwarded_for = true;
        CHECK(attempt("198.51.100.1") == 401);
        CHECK(attempt("198.51.100.1") == 401);
        CHECK(attempt("198.51.100.1") == 429);
        CHECK(attempt("10.9.9.9, 198.51.100.2") == 401);
        bool audited = false;
        for (const auto& e : store().audit_log(20))
            audited = audited || (e.action == "login-failed" &&
                                  nlohmann::json::parse(e.detail)["address"] == "198.51.100.2");
        CHECK(audited);
    }
}

TEST_CASE("a proxy on another machine is believed only when named with --trusted-proxy") {
    Config config;
    const auto through = [](const std::string& peer) { return from(peer, {{"X-Forwarded-For", "203.0.113.9"}}); };
    CHECK(api::client_address(through("10.0.0.5"), config) == "10.0.0.5");
    config.trusted_proxies = {"10.0.0.5", "2001:db8::5"};
    CHECK(api::client_address(through("10.0.0.5"), config) == "203.0.113.9");
    CHECK(api::client_address(through("::ffff:10.0.0.5"), config) == "203.0.113.9");  // a dual-stack socket
    CHECK(api::client_address(through("2001:db8::5"), config) == "203.0.113.9");
    CHECK(api::client_address(through("10.0.0.6"), config) == "10.0.0.6");  // another machine: its own address
    // Loopback stays untrusted without --trust-forwarded-for.
    CHECK(api::client_address(through("127.0.0.1"), config) == "127.0.0.1");
    // And what the trusted proxy forwards must be an address.
    CHECK(api::client_address(from("10.0.0.5", {{"X-Forwarded-For", "unknown"}}), config) == "10.0.0.5");
}
