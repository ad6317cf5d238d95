// The branded Windows installer made from the real Windows build (its client base,
// build/windows/client-base-windows), installed under Wine as a customer would install it:
// the installed programs are stamped with the team's brand, the terminal client sends a
// request to the real Linux server, the GUI client knows its brand and version, and the
// session backend sits where a branded client looks for it first. (The installer's own
// behaviour — shortcut, uninstall entry, update, uninstall — is tested with stand-in
// programs in tests/branding/package_nsis_wine_test.cpp.)

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/fixtures.h"
#include "tests/support/team_api.h"
#include "tests/support/wine.h"

namespace helpline::test {
namespace {

const std::string kServerBin = HELPLINE_SERVER_BIN;
const std::string kBrandBin = HELPLINE_BRAND_BIN;

}  // namespace

TEST_CASE("the installer made from the Windows build installs a branded client that sends a "
          "request, with its GUI and its session backend") {
    const fs::path base = wine::windows_program("client-base-windows/bin/helpline.exe").parent_path().parent_path();
    std::string base_version = read_text(base / "version");
    base_version.erase(base_version.find_last_not_of("\n") + 1);
    TempDir data, dir;
    ServerProcess server(kServerBin, data.path());
    server.start();

    // The demo profile pointed at this server, packaged by the admin's tool.
    auto profile = nlohmann::json::parse(read_text(source_path("branding/profiles/demo/profile.json")));
    profile["server"]["url"] = server.url();
    fs::create_directories(dir / "profile");
    write_text(dir / "profile" / "profile.json", profile.dump(2));
    fs::copy_file(source_path("branding/profiles/demo/logo.svg"), dir / "profile" / "logo.svg");
    auto built = run_program({kBrandBin, "package", "--profile", (dir / "profile").string(), "--key",
                              fixture("keys/test-signing-key.pem").string(), "--client", base.string(),
                              "--format", "nsis", "--out", (dir / "out").string()});
    INFO(built.out << built.err);
    REQUIRE(built.exit_code == 0);
    // Named after the brand, its revision and the base's version.
    const fs::path setup = dir / "out" / ("demo-support-1-" + base_version + "-setup.exe");
    INFO(built.out);
    REQUIRE(fs::is_regular_file(setup));

    const wine::WinePrefix wine(wine::WinePrefix::From::template_prefix);
    auto installed = wine.command("wine", {setup.string(), "/S"});
    INFO(installed.out << installed.err);
    REQUIRE(installed.exit_code == 0);
    const fs::path inst = wine.programs_dir() / "demo-support";
    for (const std::string file : {"bin/demo-support.exe", "bin/demo-support-cli.exe",
                                   "libexec/helpline-win-vnc.exe",
                                   "share/locale/pt/LC_MESSAGES/helpline.mo", "Uninstall.exe"}) {
        INFO(file);
        CHECK(fs::is_regular_file(inst / file));
    }
    for (const std::string program : {"demo-support.exe", "demo-support-cli.exe"}) {
        auto stamp = run_program({kBrandBin, "inspect", (inst / "bin" / program).string()});
        INFO(program << ": " << stamp.out << stamp.err);
        CHECK(stamp.exit_code == 0);
        CHECK_THAT(stamp.out, Catch::Contains("branded, signature valid"));
    }

    // The installed terminal client, as the customer runs it from the Start menu's folder.
    auto sent = wine.run(inst / "bin" / "demo-support-cli.exe",
                         {"request", "--email", "ana@acme.example", "--description", "Installed on Windows"});
    INFO(sent.out << sent.err);
    REQUIRE(sent.exit_code == 0);
    const auto queue = Team(server).queue();
    REQUIRE(queue.size() == 1);
    CHECK(queue[0].at("description") == "Installed on Windows");
    CHECK(sent.out == "Your request number is " + std::to_string(queue[0].at("number").get<int>()) + "\n");

    // The GUI client checks its own stamp without opening a window.
    auto checked = wine.run(inst / "bin" / "demo-support.exe", {"--check-brand"});
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);
    auto version = wine.run(inst / "bin" / "demo-support.exe", {"--version"});
    INFO(version.out << version.err);
    CHECK(version.exit_code == 0);
    CHECK_THAT(version.out, Catch::Contains(base_version));
}

}  // namespace helpline::test
