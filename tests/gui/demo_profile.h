#pragma once
// The demo brand from the source tree (branding/profiles/demo), with changes merged into its
// profile (RFC 7386), for tests of windows that show a profile's variants.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "client/core/brand.h"
#include "shared/profile.h"
#include "tests/support/fixtures.h"

namespace helpline::gui::test {

inline client::Brand demo_brand_with(const nlohmann::json& changes = {}) {
    auto json = nlohmann::json::parse(helpline::test::read_text(
        helpline::test::source_path("branding/profiles/demo/profile.json")));
    if (changes.is_object()) json.merge_patch(changes);
    client::Brand brand;
    const auto problems = parse_profile_text(json.dump(), brand.profile);
    INFO(json.dump());
    REQUIRE(problems.empty());
    brand.stamp.profile_json = json.dump();
    const std::string logo =
        helpline::test::read_text(helpline::test::source_path("branding/profiles/demo/logo.svg"));
    brand.stamp.assets.push_back({"logo.svg", Bytes(logo.begin(), logo.end())});
    return brand;
}

}  // namespace helpline::gui::test
