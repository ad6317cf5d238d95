#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "branding/tool/brand_cli.h"
#include "branding/tool/profile_source.h"
#include "shared/envelope.h"
#include "shared/stamp.h"
#include "tests/support/fixtures.h"

using namespace helpline;
using helpline::test::TempDir;
namespace fs = std::filesystem;

namespace {

struct Run {
    int code;
    std::string out;
    std::string err;
};

Run run_brand(std::vector<std::string> args) {
    args.insert(args.begin(), "helpline-brand");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int code = brand::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

void make_base(const fs::path& path) {
    std::string data = "\x7f" "ELF";
    data.append(2000, 'x');
    helpline::test::write_text(path, data);
}

const std::string kDemo = helpline::test::source_path("branding/profiles/demo").string();
const std::string kKey = helpline::test::fixture("keys/test-signing-key.pem").string();

}  // namespace

TEST_CASE("keygen writes a 0600 private key and a public key, and will not overwrite them") {
    TempDir dir;
    auto r = run_brand({"keygen", "--out", (dir / "keys").string()});
    REQUIRE(r.code == 0);
    CHECK(mode_of(dir / "keys/signing-key.pem") == 0600);
    CHECK(fs::exists(dir / "keys/signing-key.pub"));
    CHECK_THAT(r.out, Catch::Contains("Fingerprint: SHA256:"));
    auto key = SigningKey::load(dir / "keys/signing-key.pem");
    REQUIRE(key.ok());
    CHECK_THAT(r.out, Catch::Contains(public_key_to_base64(key->public_key())));

    auto again = run_brand({"keygen", "--out", (dir / "keys").string()});
    CHECK(again.code == 1);
    CHECK_THAT(again.err, Catch::Contains("--force"));
    CHECK(SigningKey::load(dir / "keys/signing-key.pem")->public_key() == key->public_key());

    auto forced = run_brand({"keygen", "--out", (dir / "keys").string(), "--force"});
    CHECK(forced.code == 0);
    CHECK(SigningKey::load(dir / "keys/signing-key.pem")->public_key() != key->public_key());
}

TEST_CASE("stamp writes an executable named after the profile id, with the logo inside") {
    TempDir dir;
    make_base(dir / "helpline");
    make_base(dir / "helpline-cli");
    auto r = run_brand({"stamp", "--profile", kDemo, "--key", kKey, "--client", (dir / "helpline").string(),
                    "--out", dir.path().string()});
    REQUIRE(r.code == 0);
    const fs::path out = dir / "demo-support";
    REQUIRE(fs::exists(out));
    CHECK(mode_of(out) == 0755);
    auto stamp = read_stamp(out);
    REQUIRE(stamp.ok());
    REQUIRE(stamp->find_asset("logo.svg") != nullptr);
    CHECK(stamp->find_asset("logo.svg")->data ==
          brand::load_profile_source(kDemo).assets.front().data);
    // The base is untouched and the branded file starts with it.
    CHECK(helpline::test::read_text(out).substr(0, 2004) == helpline::test::read_text(dir / "helpline"));

    auto cli = run_brand({"stamp", "--profile", kDemo, "--key", kKey, "--client",
                      (dir / "helpline-cli").string(), "--out", dir.path().string()});
    REQUIRE(cli.code == 0);
    CHECK(fs::exists(dir / "demo-support-cli"));
}

TEST_CASE("restamping replaces the stamp instead of stacking a second one") {
    TempDir dir;
    make_base(dir / "base");
    REQUIRE(run_brand({"stamp", "--profile", kDemo, "--key", kKey, "--client", (dir / "base").string(),
                   "--out", (dir / "one").string()}).code == 0);
    REQUIRE(run_brand({"stamp", "--profile", kDemo, "--key", kKey, "--client", (dir / "one").string(),
                   "--out", (dir / "two").string(), "--restamp"}).code == 0);
    CHECK(fs::file_size(dir / "one") == fs::file_size(dir / "two"));
    CHECK(read_stamp_location(dir / "two")->offset == fs::file_size(dir / "base"));
}

TEST_CASE("a missing logo is reported against appearance.logo and nothing is written") {
    TempDir dir;
    fs::copy_file(fs::path(kDemo) / "profile.json", dir / "profile.json");
    make_base(dir / "base");
    auto r = run_brand({"stamp", "--profile", (dir / "profile.json").string(), "--key", kKey, "--client",
                    (dir / "base").string(), "--out", (dir / "out").string()});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("appearance.logo: file \"logo.svg\" not found"));
    CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("a logo that is not the image its name says is refused") {
    TempDir dir;
    fs::copy_file(fs::path(kDemo) / "profile.json", dir / "profile.json");
    helpline::test::write_text(dir / "logo.svg", "just text");
    auto src = brand::load_profile_source(dir / "profile.json");
    REQUIRE(src.problems.size() == 1);
    CHECK(src.problems.front().to_string() ==
          "appearance.logo: \"logo.svg\" is not an SVG image (no <svg> element)");
}

TEST_CASE("sign-profile writes an envelope that verifies and carries the profile") {
    TempDir dir;
    const fs::path out = dir / "update.json";
    auto r = run_brand({"sign-profile", "--profile", kDemo, "--key", kKey, "--out", out.string()});
    REQUIRE(r.code == 0);
    auto env = parse_envelope(helpline::test::read_text(out));
    REQUIRE(env.ok());
    CHECK(env->profile_id == "demo-support");
    CHECK(env->key == SigningKey::load(kKey)->public_key());
    CHECK(env->profile_json == brand::load_profile_source(kDemo).compact_json);
    CHECK(env->assets.size() == 1);
}
