// JSON conformance of the server (issue 19): every case of tests/fixtures/json_conformance
// (JSONTestSuite's naming) sent as a request body to a JSON endpoint of the real server:
// y_ cases get past the JSON reading (the endpoint may then refuse the shape: not an
// object, a field missing), n_ cases are 400 "The body is not valid JSON.", i_ cases as
// docs/security.md says, and the server answers every one and stays up.

#include <catch2/catch.hpp>

#include "tests/server/e2e/e2e_fixture.h"
#include "tests/support/json_conformance.h"

namespace helpline::test::e2e {

TEST_CASE("JSON bodies: y_ cases are read, n_ cases are a 400 saying so, i_ cases as documented") {
    Team team;
    int cases = 0;
    for (const auto& [name, text] : json_conformance_cases()) {
        INFO(name);
        ++cases;
        CurlOptions o;
        o.method = "POST";
        o.headers = {"Content-Type: application/json"};
        o.body = text;
        const auto r = curl_request(team.server().url("/api/v1/devices"), o);
        REQUIRE(r.code == CURLE_OK);
        INFO(r.status << " " << r.body);
        const bool read = !(r.status == 400 && body_json(r).value("detail", "") == "The body is not valid JSON.");
        if (name.starts_with("y_")) {
            CHECK(read);
            CHECK(r.status == 400);  // none is a device registration: the shape is refused
        } else if (name.starts_with("n_")) {
            CHECK_FALSE(read);
        } else {
            REQUIRE(json_implementation_defined().count(name) == 1);
            CHECK(read == json_implementation_defined().at(name));
        }
    }
    CHECK(cases > 80);
    CHECK(team.call("GET", "/livez").status == 200);
}

}  // namespace helpline::test::e2e
