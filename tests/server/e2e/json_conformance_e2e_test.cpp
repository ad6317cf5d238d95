// JSON conformance of the server (issue 19): every case of tests/fixtures/json_conformance
// (JSONTestSuite's naming) sent as a request body to a JSON endpoint of the real server:
// y_ cases get past the JSON reading (the endpoint may then refuse the shape: not an
// object, a field missing), n_ cases are 400 "The body is not valid JSON.", i_ cases as
// docs/security.md says, and the server answers every one and stays up.

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {
namespace {

namespace fs = std::filesystem;

/// The same table as tests/shared/json_conformance_test.cpp: whether an i_ case is read.
const std::map<std::string, bool> kImplementationDefined = {
    {"i_number_huge_exponent.json", false},       {"i_number_very_long_integer.json", false},
    {"i_number_tiny_exponent.json", true},        {"i_string_lone_high_surrogate.json", false},
    {"i_string_lone_low_surrogate.json", false},  {"i_string_reversed_surrogates.json", false},
    {"i_array_nested_10000.json", true},          {"i_object_duplicate_key_different_value.json", true},
    {"i_utf16le_bom.json", false},                {"i_utf8_bom_then_value.json", true},
};

}  // namespace

TEST_CASE("JSON bodies: y_ cases are read, n_ cases are a 400 saying so, i_ cases as documented") {
    Team team;
    int cases = 0;
    for (const auto& entry : fs::directory_iterator(fixture("json_conformance"))) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() != ".json") continue;
        INFO(name);
        ++cases;
        CurlOptions o;
        o.method = "POST";
        o.headers = {"Content-Type: application/json"};
        o.body = read_text(entry.path());
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
            REQUIRE(kImplementationDefined.count(name) == 1);
            CHECK(read == kImplementationDefined.at(name));
        }
    }
    CHECK(cases > 80);
    CHECK(team.call("GET", "/livez").status == 200);
}

}  // namespace helpline::test::e2e
