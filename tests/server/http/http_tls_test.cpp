// HTTPS: self-signed material, pins, verification by libcurl, and TLS on a non-loopback
// address (where plain HTTP is refused).

#include <catch2/catch.hpp>
#include <mutex>

#include "server_fixture.h"
#include "tests/support/server_process.h"
#include "tests/support/test_client.h"
#include "tests/support/fixtures.h"

using namespace helpline::server::http;
using namespace helpline::test;
using namespace std::chrono_literals;

namespace {

const TlsMaterial& material() {
    static const TlsMaterial tls = [] {
        auto made = make_self_signed({"127.0.0.1", "localhost", "::1"});
        REQUIRE(made.ok());
        return made.value();
    }();
    return tls;
}

std::shared_ptr<Router> tls_router(std::shared_ptr<std::atomic<bool>> saw_tls = nullptr) {
    auto router = std::make_shared<Router>();
    router->add("GET", "/hello", [saw_tls](const Request& request) {
        if (saw_tls) *saw_tls = request.tls;
        return text_response("hello");
    });
    router->add("GET", "/events", [](const Request&) {
        auto sink = std::make_shared<EventSink>();
        sink->push(EventSink::frame("one", "1"));
        sink->push(EventSink::frame("two", "2"));
        sink->close();
        Response response;
        response.stream = sink;
        return response;
    });
    return router;
}

ServerOptions tls_options(std::string address = "127.0.0.1") {
    auto options = test_options();
    options.address = std::move(address);
    options.tls = material();
    return options;
}

CurlOptions trusting(const TlsMaterial& tls) {
    CurlOptions options;
    options.ca_pem = tls.cert_pem;
    return options;
}

}  // namespace

TEST_CASE("a self-signed certificate serves HTTPS to a client that trusts it", "[http][tls]") {
    auto saw_tls = std::make_shared<std::atomic<bool>>(false);
    TestServer s(tls_options(), tls_router(saw_tls));
    CurlClient client;
    const auto first = client.request(s.url("/hello", "https"), trusting(material()));
    INFO(first.error);
    CHECK(first.code == CURLE_OK);
    CHECK(first.status == 200);
    CHECK(first.body == "hello");
    CHECK(saw_tls->load());
    const auto second = client.request(s.url("/hello", "https"), trusting(material()));
    CHECK(second.status == 200);
    CHECK(second.new_connections == 0);  // keep-alive over TLS too

    // The name "localhost" is in the certificate as well.
    const auto by_name = curl_request("https://localhost:" + std::to_string(s.port()) + "/hello",
                                      trusting(material()));
    INFO(by_name.error);
    CHECK(by_name.status == 200);
}

TEST_CASE("only TLS 1.2 and 1.3 are served, and on TLS 1.2 only forward-secret AEAD suites",
          "[http][tls]") {
    TestServer s(tls_options(), tls_router());
    // `openssl s_client` as a client that offers whatever it is told (@SECLEVEL=0: this
    // OpenSSL would not offer the old protocols otherwise): what fails is the server's refusal.
    const std::string openssl = HELPLINE_OPENSSL;
    if (openssl.empty())
        FAIL("openssl was not found when the build was configured: apt-get install -y openssl "
             "(scripts/test does), then configure again");
    const auto handshake = [&](const std::vector<std::string>& options) {
        std::vector<std::string> argv = {openssl, "s_client", "-connect",
                                         "127.0.0.1:" + std::to_string(s.port())};
        argv.insert(argv.end(), options.begin(), options.end());
        auto r = run_program(argv, "", 20s);
        return r.out + r.err;
    };
    for (const std::string version : {"-tls1", "-tls1_1"}) {
        const std::string said = handshake({version, "-cipher", "ALL:@SECLEVEL=0"});
        INFO(version << ": " << said);
        CHECK_THAT(said, Catch::Contains("alert protocol version"));
    }
    for (const std::string version : {"-tls1_2", "-tls1_3"}) {
        const std::string said = handshake({version});
        INFO(version << ": " << said);
        CHECK_THAT(said, Catch::Contains(version == "-tls1_2" ? "Protocol  : TLSv1.2" : "TLSv1.3, Cipher is TLS_"));
    }
    // CBC with SHA-1 or SHA-2, and suites without forward secrecy: refused.
    for (const std::string weak : {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA",
                                   "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384",
                                   "AES128-SHA", "AES128-GCM-SHA256", "AES256-GCM-SHA384"}) {
        const std::string said = handshake({"-tls1_2", "-cipher", weak + ":@SECLEVEL=0"});
        INFO(weak << ": " << said);
        CHECK_THAT(said, Catch::Contains("alert handshake failure"));
    }
    for (const std::string good : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                   "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
        const std::string said = handshake({"-tls1_2", "-cipher", good});
        INFO(good << ": " << said);
        CHECK_THAT(said, Catch::Contains("Cipher is " + good));
    }
}

TEST_CASE("a client that does not trust the certificate gets no answer", "[http][tls]") {
    TestServer s(tls_options(), tls_router());
    const auto untrusted = curl_request(s.url("/hello", "https"));
    CHECK(untrusted.code == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(untrusted.status == 0);

    auto other = make_self_signed({"127.0.0.1"});
    REQUIRE(other.ok());
    CHECK(curl_request(s.url("/hello", "https"), trusting(other.value())).code ==
          CURLE_PEER_FAILED_VERIFICATION);
    CHECK(curl_request(s.url("/hello", "https"), trusting(material())).status == 200);
}

TEST_CASE("the public-key pin is what libcurl checks", "[http][tls]") {
    TestServer s(tls_options(), tls_router());
    const auto pin = public_key_pin(material().cert_pem);
    REQUIRE(pin.ok());
    CHECK(pin.value().rfind("sha256//", 0) == 0);
    CHECK(pin.value().size() == 8 + 44);

    auto options = trusting(material());
    options.pin = pin.value();
    CHECK(curl_request(s.url("/hello", "https"), options).status == 200);

    auto other = make_self_signed({"127.0.0.1"});
    REQUIRE(other.ok());
    const auto other_pin = public_key_pin(other.value().cert_pem);
    REQUIRE(other_pin.ok());
    CHECK(other_pin.value() != pin.value());
    options.pin = other_pin.value();
    CHECK(curl_request(s.url("/hello", "https"), options).code == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
}

TEST_CASE("plain HTTP to the TLS port is dropped and the server goes on", "[http][tls]") {
    TestServer s(tls_options(), tls_router());
    RawSocket socket("127.0.0.1", s.port());
    REQUIRE(socket.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
    CHECK(socket.wait_closed(10s));
    CHECK(socket.received().find("hello") == std::string::npos);
    CHECK(curl_request(s.url("/hello", "https"), trusting(material())).status == 200);
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }));
}

TEST_CASE("an event stream over TLS delivers its frames and ends cleanly", "[http][tls][sse]") {
    TestServer s(tls_options(), tls_router());
    CurlEventStream stream(s.url("/events", "https"), trusting(material()));
    REQUIRE(wait_for([&] { return stream.finished(); }));
    CHECK(stream.result() == CURLE_OK);
    CHECK(stream.text() == "event: one\ndata: 1\n\nevent: two\ndata: 2\n\n");
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }));
}

TEST_CASE("TLS may listen on a non-loopback address", "[http][tls]") {
    TestServer s(tls_options("0.0.0.0"), tls_router());
    const auto response = curl_request("https://127.0.0.1:" + std::to_string(s.port()) + "/hello",
                                       trusting(material()));
    INFO(response.error);
    CHECK(response.status == 200);
}

TEST_CASE("TLS material is loaded from PEM files and checked", "[http][tls]") {
    TempDir dir;
    write_text(dir / "cert.pem", material().cert_pem);
    write_text(dir / "key.pem", material().key_pem);
    auto other = make_self_signed({"example.org"});
    REQUIRE(other.ok());
    write_text(dir / "other-key.pem", other.value().key_pem);

    const auto loaded = load_tls((dir / "cert.pem").string(), (dir / "key.pem").string());
    REQUIRE(loaded.ok());
    CHECK(loaded.value().cert_pem == material().cert_pem);

    const auto mismatch = load_tls((dir / "cert.pem").string(), (dir / "other-key.pem").string());
    REQUIRE_FALSE(mismatch.ok());
    CHECK(mismatch.error().code == "tls.key_mismatch");

    const auto missing = load_tls((dir / "none.pem").string(), (dir / "key.pem").string());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "tls.read");

    const auto swapped = load_tls((dir / "key.pem").string(), (dir / "cert.pem").string());
    REQUIRE_FALSE(swapped.ok());
    CHECK(swapped.error().code == "tls.certificate");

    CHECK_FALSE(make_self_signed({}).ok());
    CHECK_FALSE(public_key_pin("not a certificate").ok());
}

TEST_CASE("a server with a key that does not match its certificate does not start", "[http][tls]") {
    auto other = make_self_signed({"127.0.0.1"});
    REQUIRE(other.ok());
    auto options = tls_options();
    options.tls->key_pem = other.value().key_pem;
    HttpServer server(options, [](const Request&) { return text_response("x"); });
    const auto started = server.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().code == "tls.key_mismatch");
}

TEST_CASE("a reloaded certificate serves new connections while an open one keeps its own",
          "[http][tls]") {
    TestServer s(tls_options(), tls_router());
    CurlClient kept;
    const auto first = kept.request(s.url("/hello", "https"), trusting(material()));
    INFO(first.error);
    REQUIRE(first.status == 200);

    auto renewed = make_self_signed({"127.0.0.1"});
    REQUIRE(renewed.ok());
    REQUIRE(s.server().reload_tls(renewed.value()).ok());

    // A new connection gets the new certificate (pinned: its key), not the old one.
    CurlOptions pinned = trusting(renewed.value());
    pinned.pin = public_key_pin(renewed.value().cert_pem).value();
    const auto fresh = curl_request(s.url("/hello", "https"), pinned);
    INFO(fresh.error);
    CHECK(fresh.status == 200);
    CHECK(curl_request(s.url("/hello", "https"), trusting(material())).code ==
          CURLE_PEER_FAILED_VERIFICATION);
    // The connection made before goes on, on its handshake.
    const auto again = kept.request(s.url("/hello", "https"), trusting(material()));
    CHECK(again.status == 200);
    CHECK(again.new_connections == 0);
}

TEST_CASE("a reload with a key of another certificate is refused and the certificate stays",
          "[http][tls]") {
    TestServer s(tls_options(), tls_router());
    auto other = make_self_signed({"127.0.0.1"});
    REQUIRE(other.ok());
    TlsMaterial mismatched = other.value();
    mismatched.key_pem = material().key_pem;
    const auto reloaded = s.server().reload_tls(mismatched);
    REQUIRE_FALSE(reloaded.ok());
    CHECK(reloaded.error().code == "tls.key_mismatch");
    CHECK(curl_request(s.url("/hello", "https"), trusting(material())).status == 200);

    // Plain HTTP has nothing to reload.
    TestServer plain(test_options(), tls_router());
    const auto none = plain.server().reload_tls(material());
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == "tls.plain");
}
