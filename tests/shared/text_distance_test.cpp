// Edit distance and the "did you mean" suggestions built on it.

#include "shared/text_distance.h"

#include <catch2/catch.hpp>

namespace helpline {
namespace {

TEST_CASE("edit_distance counts insertions, deletions and substitutions") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("welcome", "welcome") == 0);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("welcom", "welcome") == 1);    // insertion
    CHECK(edit_distance("welcomee", "welcome") == 1);  // deletion
    CHECK(edit_distance("welcame", "welcome") == 1);   // substitution
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("hihg", "high") == 2);  // a swap is two edits
}

TEST_CASE("edit_distance is symmetric") {
    CHECK(edit_distance("passwd_file", "password_file") ==
          edit_distance("password_file", "passwd_file"));
    CHECK(edit_distance("passwd_file", "password_file") == 2);
}

TEST_CASE("closest_match suggests the nearest likely typo") {
    const std::vector<std::string_view> fields = {"logo", "accent", "welcome"};
    CHECK(closest_match("welcom", fields) == "welcome");
    CHECK(closest_match("acent", fields) == "accent");
    CHECK(closest_match("logo", fields) == "logo");
    CHECK(closest_match("passwd_file", {"port", "password_file", "display"}) == "password_file");
}

TEST_CASE("closest_match suggests nothing when every candidate is far") {
    CHECK(closest_match("colour", {"logo", "accent", "welcome"}).empty());
    CHECK(closest_match("user", {"port", "password_file", "display"}).empty());
    CHECK(closest_match("anything", {}).empty());
}

TEST_CASE("closest_match allows about one edit per three characters") {
    // Short words tolerate one edit; "hgh" is one from "high", "hihg" two.
    CHECK(closest_match("hgh", {"low", "medium", "high", "urgent"}) == "high");
    CHECK(closest_match("hihg", {"low", "medium", "high", "urgent"}).empty());
    // Six characters tolerate two.
    CHECK(closest_match("urgnet", {"low", "medium", "high", "urgent"}) == "urgent");
    CHECK(closest_match("xx", {"ab"}).empty());
    CHECK(closest_match("ax", {"ab"}) == "ab");
}

TEST_CASE("closest_match prefers the first of equally close candidates") {
    CHECK(closest_match("cat", {"bat", "hat"}) == "bat");
}

}  // namespace
}  // namespace helpline
