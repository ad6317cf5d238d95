// TLS at the real binary: the self-signed certificate's pin works with libcurl's pinning
// and verification, a wrong pin does not, and plain HTTP is served on loopback only.

#include <catch2/catch.hpp>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {
namespace {

constexpr std::string_view kPinLabel = "TLS public-key pin (for a profile's server.pins): ";

/// The pins the server printed, one per start.
std::vector<std::string> printed_pins(const std::string& output) {
    std::vector<std::string> pins;
    for (auto at = output.find(kPinLabel); at != std::string::npos;
         at = output.find(kPinLabel, at + 1)) {
        const auto begin = at + kPinLabel.size();
        pins.push_back(output.substr(begin, output.find('\n', begin) - begin));
    }
    return pins;
}

}  // namespace

// [single] (here and below): the server's own TLS and the pin it prints; behind HAProxy,
// HAProxy terminates TLS.
TEST_CASE("a self-signed server prints a pin that libcurl accepts over https and a wrong pin fails",
          "[single]") {
    TempDir dir;
    ServerProcess server(kServerBin, dir / "data");
    server.start({"--self-signed"});
    REQUIRE(server.url().rfind("https://", 0) == 0);
    CHECK(server.output().find("listening on https://127.0.0.1:" + std::to_string(server.port())) !=
          std::string::npos);
    const auto pins = printed_pins(server.output());
    REQUIRE(pins.size() == 1);
    const std::string pin = pins.front();
    CHECK(pin.rfind("sha256//", 0) == 0);
    CHECK(pin.size() == 8 + 44);  // base64 of a SHA-256

    CurlOptions options;
    options.ca_pem = read_text(server.data() / "tls" / "self-signed-cert.pem");
    REQUIRE(!options.ca_pem.empty());
    options.pin = pin;  // verification stays on (curl's default): CA and pin both checked
    const auto ok = curl_request(server.url("/livez"), options);
    INFO(ok.error);
    CHECK(ok.code == CURLE_OK);
    CHECK(ok.status == 200);
    CHECK(ok.body == "ok\n");
    // The console over TLS tells the browser to keep to TLS (HSTS, a year).
    const auto console = curl_request(server.url("/console/"), options);
    CHECK(console.status == 200);
    CHECK(console.header("strict-transport-security") == "max-age=31536000");

    options.pin = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const auto wrong_pin = curl_request(server.url("/livez"), options);
    CHECK(wrong_pin.code == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
    CHECK(wrong_pin.status == 0);

    // Without trusting the certificate, verification refuses it.
    const auto untrusted = curl_request(server.url("/livez"));
    CHECK(untrusted.code == CURLE_PEER_FAILED_VERIFICATION);
    // Plain HTTP to the TLS port gets no HTTP answer.
    const auto plain = curl_request("http://127.0.0.1:" + std::to_string(server.port()) + "/livez");
    CHECK(plain.status == 0);

    // Signing in over TLS marks the cookie Secure.
    CurlOptions login = options;
    login.pin = pin;
    login.method = "POST";
    login.headers = {"Content-Type: application/json"};
    login.body =
        Json{{"email", server.admin_email()}, {"password", server.admin_password()}}.dump();
    const auto signed_in = curl_request(server.url("/api/v1/auth/login"), login);
    CHECK(signed_in.status == 200);
    CHECK(signed_in.header("set-cookie").find("; Secure") != std::string::npos);

    // The certificate is kept: after a restart the pin profiles carry still holds.
    CHECK(server.terminate() == 0);
    server.start();
    const auto again = printed_pins(server.output());
    REQUIRE(again.size() == 2);
    CHECK(again[1] == pin);
    options.pin = pin;
    CHECK(curl_request(server.url("/livez"), options).status == 200);
}

TEST_CASE("a server given --tls-cert and --tls-key serves them and prints their pin", "[single]") {
    TempDir dir;
    // A certificate and key as an admin would bring them: here, the ones a self-signed
    // start made in another data folder.
    std::string made_pin;
    {
        ServerProcess maker(kServerBin, dir / "maker");
        maker.start({"--self-signed"});
        const auto pins = printed_pins(maker.output());
        REQUIRE(pins.size() == 1);
        made_pin = pins.front();
        REQUIRE(maker.terminate() == 0);
    }
    const auto cert = dir / "cert.pem";
    const auto key = dir / "key.pem";
    std::filesystem::copy_file(dir / "maker" / "tls" / "self-signed-cert.pem", cert);
    std::filesystem::copy_file(dir / "maker" / "tls" / "self-signed-key.pem", key);

    ServerProcess server(kServerBin, dir / "data");
    server.start({"--tls-cert", cert.string(), "--tls-key", key.string()});
    CHECK(server.output().find("listening on https://127.0.0.1:" + std::to_string(server.port())) !=
          std::string::npos);
    const auto pins = printed_pins(server.output());
    REQUIRE(pins.size() == 1);
    CHECK(pins.front() == made_pin);  // the pin is the certificate's key's, not the folder's
    CHECK(!std::filesystem::exists(server.data() / "tls"));  // nothing self-signed was made

    CurlOptions options;
    options.ca_pem = read_text(cert);
    options.pin = pins.front();
    const auto ok = curl_request(server.url("/livez"), options);
    INFO(ok.error);
    CHECK(ok.code == CURLE_OK);
    CHECK(ok.status == 200);
    options.pin = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    CHECK(curl_request(server.url("/livez"), options).code == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
    CHECK(curl_request(server.url("/livez")).code == CURLE_PEER_FAILED_VERIFICATION);
}

TEST_CASE("TLS options that do not fit together are usage errors and bad files are failures") {
    TempDir dir;
    ServerProcess server(kServerBin, dir / "data");  // makes the team; never started
    write_text(dir / "junk.pem", "not a certificate\n");
    const auto run = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = {"run", "--listen", "127.0.0.1:0"};
        argv.insert(argv.end(), args.begin(), args.end());
        return server.admin(argv, {}, std::chrono::seconds(10));
    };
    const std::string cert = (dir / "junk.pem").string();
    for (const auto& args : std::vector<std::vector<std::string>>{{"--tls-cert", cert}, {"--tls-key", cert}}) {
        const auto r = run(args);
        INFO(args[0] << ": " << r.err);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("--tls-cert and --tls-key go together") != std::string::npos);
        CHECK(r.out.find("listening") == std::string::npos);
    }
    const auto both = run({"--tls-cert", cert, "--tls-key", cert, "--self-signed"});
    CHECK(both.exit_code == 2);
    CHECK(both.err.find("either --self-signed or --tls-cert/--tls-key, not both") != std::string::npos);
    const auto junk = run({"--tls-cert", cert, "--tls-key", cert});
    INFO(junk.err);
    CHECK(junk.exit_code == 1);
    CHECK(junk.err.find("error: ") != std::string::npos);
    CHECK(junk.out.find("listening") == std::string::npos);
}

TEST_CASE(
    "plain HTTP on a non-loopback address is refused at start with advice to use TLS or loopback") {
    TempDir dir;
    ServerProcess server(kServerBin, dir / "data");  // makes the team; never started
    for (const std::string listen : {"0.0.0.0:0", "[::]:0"}) {
        const auto r = server.admin({"run", "--listen", listen}, {}, std::chrono::seconds(10));
        INFO(listen << ": " << r.err);
        CHECK(r.exit_code == 1);
        CHECK(r.err.find("loopback") != std::string::npos);
        CHECK(r.err.find("TLS") != std::string::npos);
        CHECK(r.out.find("listening") == std::string::npos);
    }
    const auto bad = server.admin({"run", "--listen", "nowhere"}, {}, std::chrono::seconds(10));
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--listen takes ADDRESS:PORT") != std::string::npos);
}

}  // namespace helpline::test::e2e
