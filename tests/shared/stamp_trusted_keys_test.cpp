// Built with trusted keys pinned to the fixture test key (see CMakeLists.txt).
#include <catch2/catch.hpp>

#include "shared/atomic_file.h"
#include "shared/stamp.h"
#include "tests/support/fixtures.h"

using namespace helpline;

namespace {

void stamp_with(const char* key_file, const std::filesystem::path& out) {
    auto key = SigningKey::load(helpline::test::fixture(key_file));
    REQUIRE(key.ok());
    auto stamp = build_stamp(R"({"id":"acme"})", {}, *key);
    REQUIRE(stamp.ok());
    Bytes file = {'b', 'a', 's', 'e'};
    append(file, *stamp);
    REQUIRE(write_file_atomic(out, file).ok());
}

}  // namespace

TEST_CASE("a build with trusted keys pins exactly those keys") {
    REQUIRE(trusted_stamp_keys().size() == 1);
}

TEST_CASE("a stamp signed by the trusted key is accepted") {
    helpline::test::TempDir dir;
    stamp_with("keys/test-signing-key.pem", dir / "good");
    CHECK(read_stamp(dir / "good").ok());
}

TEST_CASE("a stamp signed by an untrusted key is refused in a build with trusted keys") {
    helpline::test::TempDir dir;
    stamp_with("keys/other-signing-key.pem", dir / "rebranded");
    auto r = read_stamp(dir / "rebranded");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == stamp_error::kUntrustedKey);
    CHECK_THAT(r.error().message, Catch::Contains("does not trust"));
}
