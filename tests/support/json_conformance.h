#pragma once
// The JSON conformance corpus (tests/fixtures/json_conformance, JSONTestSuite's naming:
// y_ must be read, n_ refused, i_ left to the implementation) and what Helpline does with
// each i_ case — the table docs/security.md ("JSON conformance") publishes. Used by the
// client side's test (tests/shared/json_conformance_test.cpp) and the server's
// (tests/server/e2e/json_conformance_e2e_test.cpp).

#include <filesystem>
#include <map>
#include <string>

#include "tests/support/fixtures.h"

namespace helpline::test {

/// Whether Helpline reads each i_ case (true) or refuses it as not JSON (false).
inline const std::map<std::string, bool>& json_implementation_defined() {
    static const std::map<std::string, bool> cases = {
        {"i_number_huge_exponent.json", false},       {"i_number_very_long_integer.json", false},
        {"i_number_tiny_exponent.json", true},        {"i_string_lone_high_surrogate.json", false},
        {"i_string_lone_low_surrogate.json", false},  {"i_string_reversed_surrogates.json", false},
        {"i_array_nested_10000.json", true},          {"i_object_duplicate_key_different_value.json", true},
        {"i_utf16le_bom.json", false},                {"i_utf8_bom_then_value.json", true},
    };
    return cases;
}

/// The corpus: file name -> its bytes.
inline std::map<std::string, std::string> json_conformance_cases() {
    std::map<std::string, std::string> cases;
    for (const auto& entry : std::filesystem::directory_iterator(fixture("json_conformance")))
        if (entry.path().extension() == ".json") cases[entry.path().filename().string()] = read_text(entry.path());
    return cases;
}

}  // namespace helpline::test
