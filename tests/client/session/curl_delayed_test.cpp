// client/core/curl_delayed.cpp: this program is linked as `helpline` is (the forwarders,
// --as-needed), so libcurl is not loaded at its start but by its first libcurl call, and
// every request below goes through the forwarders — each kind of option argument included
// (long, pointer, callback, curl_off_t for a POST's size, blob for the profile's CA). The
// rest of client_session_tests and client_events_server_tests are linked the same way, so
// the tunnel and the event stream run over the forwarders too.
#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "client/core/api_client.h"
#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"

using namespace helpline;
using namespace helpline::client;
using helpline::test::read_text;
using helpline::test::ServerProcess;
using helpline::test::TempDir;

namespace {

bool libcurl_mapped() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find("/libcurl.so") != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("libcurl is loaded by the first libcurl call, not at start") {
    CHECK_FALSE(libcurl_mapped());
    CURL* curl = curl_easy_init();
    REQUIRE(curl != nullptr);
    curl_easy_cleanup(curl);
    CHECK(libcurl_mapped());
}

TEST_CASE("requests through the forwarders reach a TLS server trusted by the profile's CA") {
    TempDir dir;
    ServerProcess server(HELPLINE_SERVER_BIN, dir / "data");
    server.start({"--self-signed"});
    ServerEndpoint endpoint;
    endpoint.base_url = server.url("");
    endpoint.ca_pem = read_text(server.data() / "tls" / "self-signed-cert.pem");  // a blob
    ApiClient api(endpoint);

    auto live = api.send({"GET", "/livez", std::nullopt, {}, std::chrono::seconds(10)});
    REQUIRE(live);
    CHECK(live->status == 200);

    // A POST: its body size is a curl_off_t option, its answer read by a callback.
    const nlohmann::json device = {{"profile_id", "demo-support"}, {"hostname", "forwarders"},
                                   {"os", "linux"}, {"client_version", "test"}};
    auto registered =
        api.send({"POST", "/api/v1/devices", device, {}, std::chrono::seconds(10)});
    REQUIRE(registered);
    CHECK(registered->status == 201);
    CHECK(registered->json.contains("device_token"));

    endpoint.ca_pem.clear();  // the system's CAs do not know the server: verification is on
    auto refused = ApiClient(endpoint).send({"GET", "/livez", std::nullopt, {}, std::chrono::seconds(10)});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == net_error::kTls);
}
