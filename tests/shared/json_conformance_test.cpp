// JSON conformance of the JSON the client reads (issue 19): the branding profile's text
// (profile_json::parse_text, for admins' profiles and the profiles stamped into clients)
// and the signed envelope a server publishes (parse_envelope), against the corpus in
// tests/fixtures/json_conformance (JSONTestSuite's naming: y_ accepted, n_ refused, i_ the
// implementation's choice, documented in docs/security.md "JSON conformance").
#include <catch2/catch.hpp>

#include "shared/envelope.h"
#include "shared/profile_json.h"
#include "tests/support/json_conformance.h"

using namespace helpline;

TEST_CASE("profile text: every y_ case parses, every n_ case is a syntax problem, i_ cases as documented") {
    const auto cases = test::json_conformance_cases();
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
            REQUIRE(test::json_implementation_defined().count(name) == 1);
            CHECK(doc.has_value() == test::json_implementation_defined().at(name));
        }
    }
    CHECK(y > 25);
    CHECK(n > 40);
}

TEST_CASE("a signed envelope that is not JSON, or JSON but no object, is refused without a crash") {
    for (const auto& [name, text] : test::json_conformance_cases()) {
        INFO(name);
        const auto envelope = parse_envelope(text);
        // None of the cases is an envelope; each is refused with the reason, none crashes.
        REQUIRE_FALSE(envelope.ok());
        CHECK_FALSE(envelope.error().message.empty());
    }
}
