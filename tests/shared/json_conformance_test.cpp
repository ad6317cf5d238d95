// JSON conformance of the JSON the client reads (issue 19): the branding profile's text
// (profile_json::parse_text, for admins' profiles and the profiles stamped into clients)
// and the signed envelope a server publishes (parse_envelope), against the corpus in
// tests/fixtures/json_conformance (JSONTestSuite's naming: y_ accepted, n_ refused, i_ the
// implementation's choice, documented in docs/security.md "JSON conformance").
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "shared/envelope.h"
#include "shared/profile_json.h"
#include "tests/support/fixtures.h"

using namespace helpline;
namespace fs = std::filesystem;

namespace {

/// The corpus: file name -> its bytes.
std::map<std::string, std::string> json_cases() {
    std::map<std::string, std::string> cases;
    for (const auto& entry : fs::directory_iterator(test::fixture("json_conformance")))
        if (entry.path().extension() == ".json")
            cases[entry.path().filename().string()] = test::read_text(entry.path());
    return cases;
}

/// What Helpline's JSON reading does with each i_ case: true when it accepts it. The same
/// table is in docs/security.md and tests/server/e2e/json_conformance_e2e_test.cpp.
const std::map<std::string, bool> kImplementationDefined = {
    {"i_number_huge_exponent.json", false},       {"i_number_very_long_integer.json", false},
    {"i_number_tiny_exponent.json", true},        {"i_string_lone_high_surrogate.json", false},
    {"i_string_lone_low_surrogate.json", false},  {"i_string_reversed_surrogates.json", false},
    {"i_array_nested_10000.json", true},          {"i_object_duplicate_key_different_value.json", true},
    {"i_utf16le_bom.json", false},                {"i_utf8_bom_then_value.json", true},
};

}  // namespace

TEST_CASE("profile text: every y_ case parses, every n_ case is a syntax problem, i_ cases as documented") {
    const auto cases = json_cases();
    REQUIRE(cases.size() > 80);
    int y = 0, n = 0;
    for (const auto& [name, text] : cases) {
        INFO(name);
        std::vector<ProfileProblem> problems;
        const auto doc = profile_json::parse_text(text, problems);
        if (name.starts_with("y_")) {
            ++y;
            CHECK(doc.has_value());
        } else if (name.starts_with("n_")) {
            ++n;
            CHECK_FALSE(doc.has_value());
            REQUIRE(problems.size() == 1);
            CHECK_THAT(problems[0].message, Catch::Contains("JSON"));
        } else {
            REQUIRE(kImplementationDefined.count(name) == 1);
            CHECK(doc.has_value() == kImplementationDefined.at(name));
        }
    }
    CHECK(y > 25);
    CHECK(n > 40);
}

TEST_CASE("a signed envelope that is not JSON, or JSON but no object, is refused without a crash") {
    for (const auto& [name, text] : json_cases()) {
        INFO(name);
        const auto envelope = parse_envelope(text);
        // None of the cases is an envelope; each is refused with the reason, none crashes.
        REQUIRE_FALSE(envelope.ok());
        CHECK_FALSE(envelope.error().message.empty());
    }
}
