// SIGHUP reloads the TLS certificate of a real server (a certificate renewed by certbot):
// new connections get the new one, an open keep-alive connection goes on, and files that
// cannot be used leave the server with the certificate it has (docs/operations.md, "TLS
// with Let's Encrypt").

#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/server/e2e/e2e_fixture.h"
#include "tests/support/pg_test_database.h"

namespace helpline::test::e2e {
namespace {

struct Pair {
    std::filesystem::path cert;
    std::filesystem::path key;
    std::string pin;
};

/// A self-signed certificate for 127.0.0.1 and its key, made with the openssl program, and
/// the key's pin as libcurl takes it.
Pair make_pair(const std::filesystem::path& dir, const std::string& name) {
    Pair p{dir / (name + "-cert.pem"), dir / (name + "-key.pem"), {}};
    const auto made = run_program({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                   "ec_paramgen_curve:P-256", "-nodes", "-keyout", p.key.string(),
                                   "-out", p.cert.string(), "-days", "2", "-subj", "/CN=" + name,
                                   "-addext", "subjectAltName=IP:127.0.0.1"});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    const auto pin = run_program({"/bin/sh", "-c",
                                  "openssl x509 -in '" + p.cert.string() +
                                      "' -pubkey -noout | openssl pkey -pubin -outform der | "
                                      "openssl dgst -sha256 -binary | base64"});
    REQUIRE(pin.exit_code == 0);
    p.pin = "sha256//" + pin.out.substr(0, pin.out.find('\n'));
    return p;
}

CurlOptions trusting(const Pair& p) {
    CurlOptions options;
    options.ca_pem = read_text(p.cert);
    options.pin = p.pin;
    return options;
}

void install(const Pair& p, const std::filesystem::path& cert, const std::filesystem::path& key) {
    write_text(cert, read_text(p.cert));
    write_text(key, read_text(p.key));
}

}  // namespace

// [single]: the server's own TLS; behind HAProxy, HAProxy terminates it.
TEST_CASE(
    "SIGHUP reloads the certificate for new connections, open ones go on, bad files keep the old "
    "one",
    "[single]") {
    TempDir dir;
    const Pair first = make_pair(dir.path(), "first");
    const Pair renewed = make_pair(dir.path(), "renewed");
    REQUIRE(first.pin != renewed.pin);
    // Where certbot's deploy hook would copy the files.
    const auto cert = dir / "fullchain.pem";
    const auto key = dir / "privkey.pem";
    install(first, cert, key);
    ServerProcess server(kServerBin, dir / "data");
    server.start({"--tls-cert", cert.string(), "--tls-key", key.string()});
    CHECK(server.output().find(first.pin) != std::string::npos);

    CurlClient kept;  // a keep-alive connection made with the first certificate
    const auto opened = kept.request(server.url("/livez"), trusting(first));
    INFO(opened.error);
    REQUIRE(opened.status == 200);

    install(renewed, cert, key);
    REQUIRE(::kill(server.pid(), SIGHUP) == 0);
    CHECK(wait_for(
        [&] { return curl_request(server.url("/livez"), trusting(renewed)).status == 200; }));
    CHECK(wait_for(
        [&] { return server.log().find("TLS certificate reloaded") != std::string::npos; }));
    CHECK(server.log().find("public-key pin " + renewed.pin) != std::string::npos);
    // New connections no longer get the first certificate.
    CHECK(curl_request(server.url("/livez"), trusting(first)).code ==
          CURLE_PEER_FAILED_VERIFICATION);
    // The connection made before the reload still answers, on the same connection.
    const auto still = kept.request(server.url("/livez"), trusting(first));
    CHECK(still.status == 200);
    CHECK(still.new_connections == 0);

    // A key of another certificate: refused, the renewed certificate stays.
    write_text(key, read_text(first.key));
    REQUIRE(::kill(server.pid(), SIGHUP) == 0);
    CHECK(wait_for([&] {
        return server.log().find("does not belong to the certificate") != std::string::npos;
    }));
    CHECK(server.log().find(
              "the TLS certificate was not reloaded, the server keeps the one it has") !=
          std::string::npos);
    CHECK(curl_request(server.url("/livez"), trusting(renewed)).status == 200);

    // A file that cannot be read: the same.
    std::filesystem::remove(cert);
    REQUIRE(::kill(server.pid(), SIGHUP) == 0);
    CHECK(wait_for([&] {
        return server.log().find("Could not read the certificate file") != std::string::npos;
    }));
    CHECK(curl_request(server.url("/livez"), trusting(renewed)).status == 200);
    CHECK(server.running());
    CHECK(server.terminate() == 0);
}

// [postgres]: several servers on one database trust each other by the pins they announce
// there (cluster_nodes.tls_pin) when they forward relayed sessions.
TEST_CASE("on PostgreSQL a reload announces the new key's pin to the other servers", "[postgres]") {
    TempDir dir;
    const Pair first = make_pair(dir.path(), "first");
    const Pair renewed = make_pair(dir.path(), "renewed");
    const auto cert = dir / "fullchain.pem";
    const auto key = dir / "privkey.pem";
    install(first, cert, key);
    ServerProcess server(kServerBin, dir / "data");
    REQUIRE_FALSE(server.database().empty());
    server.start({"--tls-cert", cert.string(), "--tls-key", key.string()});
    const auto announced = [&] {
        const auto rows = query_rows(server.database(), "SELECT tls_pin FROM cluster_nodes");
        return rows.size() == 1 ? rows.front().front() : std::string();
    };
    CHECK(wait_for([&] { return announced() == first.pin; }));
    install(renewed, cert, key);
    REQUIRE(::kill(server.pid(), SIGHUP) == 0);
    CHECK(wait_for([&] { return announced() == renewed.pin; }));
    CHECK(server.terminate() == 0);
}

TEST_CASE("SIGHUP on a plain HTTP server changes nothing and says so", "[single]") {
    TempDir dir;
    ServerProcess server(kServerBin, dir / "data");
    server.start();
    REQUIRE(::kill(server.pid(), SIGHUP) == 0);
    CHECK(wait_for(
        [&] { return server.log().find("no TLS certificate to reload") != std::string::npos; }));
    CHECK(curl_request(server.url("/livez")).status == 200);
    CHECK(server.terminate() == 0);
}

}  // namespace helpline::test::e2e
