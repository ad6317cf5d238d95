// helpline-brand package with other brands: side by side with the demo, a PNG logo, no logo.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "tests/branding/package_fixture.h"

using namespace helpline::test;
using namespace helpline::test::brand_package;

namespace {

/// A copy of the demo profile in `dir` with `changes` merged in (RFC 7386: null removes a
/// field), with the demo's logo beside it when the copy still names it.
fs::path brand_profile(const fs::path& dir, const nlohmann::json& changes) {
    auto doc = nlohmann::json::parse(read_text(fs::path(kDemoProfile) / "profile.json"));
    doc.merge_patch(changes);
    fs::create_directories(dir);
    write_text(dir / "profile.json", doc.dump(2));
    if (doc.contains("appearance") && doc["appearance"].contains("logo") &&
        doc["appearance"]["logo"] == "logo.svg")
        fs::copy_file(fs::path(kDemoProfile) / "logo.svg", dir / "logo.svg");
    return dir;
}

const nlohmann::json kAcme = {
    {"id", "acme-help"},
    {"name", {{"en", "Acme Help"}, {"pt", "Ajuda Acme"}, {"it", nullptr}}},
    {"server", {{"url", "https://support.acme.example:8443/helpline"}}},
    {"appearance", {{"logo", "logo.png"}, {"welcome", nullptr}}},
    {"assistance",
     {{"groups", nlohmann::json::array({{{"id", "helpdesk"}, {"name", {{"en", "Help desk"}}}}})}}},
    {"support", {{"email", "help@acme.example"}, {"url", nullptr}}},
    {"languages", {"en", "pt", "pt_BR"}}};

}  // namespace

TEST_CASE("two brands' packages install side by side: no path in common") {
    TempDir dir;
    const fs::path acme = brand_profile(dir / "acme", kAcme);
    // A PNG logo, wide rather than square, rendered from the demo's SVG.
    run_ok({"rsvg-convert", "--width", "300", "--height", "200", "--output",
            (acme / "logo.png").string(), (fs::path(kDemoProfile) / "logo.svg").string()});
    auto r = run_package(dir / "out", {}, {}, acme.string());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const fs::path deb = dir / "out/acme-help_1-0.1.0_amd64.deb";
    const auto acme_files = deb_files(deb);
    const auto demo_files = deb_files(demo_packages() / kDemoDeb);
    std::vector<std::string> common;
    std::set_intersection(acme_files.begin(), acme_files.end(), demo_files.begin(),
                          demo_files.end(), std::back_inserter(common));
    CHECK(common.empty());
    CHECK(acme_files.size() == demo_files.size() - 1);  // a PNG logo has no scalable icon
    CHECK(acme_files.count("usr/share/icons/hicolor/scalable/apps/acme-help.svg") == 0);
    // The AppStream id comes from the server's host: the brand's own domain.
    CHECK(acme_files.count("usr/share/metainfo/example.acme.support.acme_help.metainfo.xml") == 1);
    CHECK(trimmed(run_ok({"dpkg-deb", "--field", deb.string(), "Maintainer"})) ==
          "Acme Help <help@acme.example>");

    TempDir x;
    run_ok({"dpkg-deb", "--extract", deb.string(), x.path().string()});
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256}) {
        const std::string png =
            (x / fmt::format("usr/share/icons/hicolor/{0}x{0}/apps/acme-help.png", size)).string();
        CHECK(trimmed(run_ok({"identify", "-format", "%wx%h", png})) ==
              fmt::format("{0}x{0}", size));
    }
    const std::string desktop = read_text(x / "usr/share/applications/acme-help.desktop");
    CHECK_THAT(desktop, Catch::Contains("\nName[pt]=Ajuda Acme\n"));
    CHECK_THAT(desktop,
               Catch::Contains("\nComment[pt_BR]=Obtenha ajuda da sua equipe de suporte\n"));
    run_ok({"desktop-file-validate", (x / "usr/share/applications/acme-help.desktop").string()});
    run_ok({"appstreamcli", "validate", "--no-net",
            (x / "usr/share/metainfo/example.acme.support.acme_help.metainfo.xml").string()});
    auto lintian = run({"lintian", "--fail-on", "error,warning", deb.string()});
    INFO(lintian.out << lintian.err);
    CHECK(lintian.exit_code == 0);

    // Its .tar.gz has a README in Brazilian Portuguese, none in Italian.
    TempDir t;
    run_ok({"tar", "--extract", "--file", (dir / "out/acme-help-1-0.1.0.tar.gz").string(),
            "--directory", t.path().string()});
    CHECK(fs::exists(t / "acme-help-1-0.1.0/README.pt_BR"));
    CHECK(!fs::exists(t / "acme-help-1-0.1.0/README.it"));
    CHECK_THAT(read_text(t / "acme-help-1-0.1.0/README.pt_BR"),
               Catch::Contains("sua equipe de suporte"));
}

TEST_CASE("a brand without a logo gets the project's icon") {
    TempDir dir;
    const fs::path plain =
        brand_profile(dir / "plain", {{"id", "plain-help"}, {"appearance", {{"logo", nullptr}}}});
    auto r = run_package(dir / "out", {"--format", "deb"}, {}, plain.string());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    TempDir x;
    run_ok({"dpkg-deb", "--extract", (dir / "out/plain-help_1-0.1.0_amd64.deb").string(),
            x.path().string()});
    CHECK(read_text(x / "usr/share/icons/hicolor/scalable/apps/plain-help.svg") ==
          read_text(source_path("server/console/icon.svg")));
    CHECK(fs::file_size(x / "usr/share/icons/hicolor/256x256/apps/plain-help.png") > 0);
    // The server is 127.0.0.1, no domain: the AppStream id takes the support email's.
    CHECK(fs::exists(x / "usr/share/metainfo/example.demo.plain_help.metainfo.xml"));
}
