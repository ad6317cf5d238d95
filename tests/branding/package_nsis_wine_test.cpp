// The brand's Windows installer run under Wine (docs/installer.md, "The Windows installer"):
// installed silently for the user alone, its program stamped and running, its shortcut and
// uninstall entry made; updated in place; its uninstaller removes exactly what it installed.

#include <nlohmann/json.hpp>

#include "branding/tool/nsis_script.h"
#include "tests/branding/nsis_fixture.h"

using namespace helpline::test;
using namespace helpline::test::nsis;

namespace {

const std::string kUninstallKey = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\";

/// The value of `name` in `reg query`'s output ("    NAME    REG_SZ    value").
std::string reg_value(const std::string& query, const std::string& name) {
    for (auto line : lines_of(query)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const std::string prefix = "    " + name + "    ";
        if (line.rfind(prefix, 0) != 0) continue;
        line.erase(0, prefix.size());
        const auto gap = line.find("    ");  // after the type
        return gap == std::string::npos ? std::string() : line.substr(gap + 4);
    }
    return {};
}

/// The installed folder as Windows names it, for the uninstaller's _?=.
std::string windows_install_dir(const WinePrefix& wine, const std::string& id) {
    return "C:\\users\\" + wine.user_name() + "\\AppData\\Local\\Programs\\" + id;
}

}  // namespace

TEST_CASE("Under Wine the installer installs for the user alone and the uninstaller removes it") {
    TempDir dir;
    auto built = run_nsis_package(make_windows_base(dir / "base"), dir / "out");
    INFO(built.out << built.err);
    REQUIRE(built.exit_code == 0);
    const fs::path setup = dir / "out" / kDemoSetup;
    // The version installed first has one more translation, which the update must remove.
    const fs::path old_base = make_windows_base(dir / "old-base");
    fs::copy(old_base / "share/locale/pt", old_base / "share/locale/de",
             fs::copy_options::recursive);
    REQUIRE(run_nsis_package(old_base, dir / "old").exit_code == 0);
    const WinePrefix wine;

    auto installed = wine.command("wine", {(dir / "old" / kDemoSetup).string(), "/S"});
    INFO(installed.out << installed.err);
    REQUIRE(installed.exit_code == 0);
    const fs::path inst = wine.programs_dir() / "demo-support";
    const std::vector<std::string> files{"bin/demo-support.exe",
                                         "bin/demo-support-cli.exe",
                                         "libexec/helpline-vnc.exe",
                                         "share/locale/pt/LC_MESSAGES/helpline.mo",
                                         "share/locale/pt_BR/LC_MESSAGES/helpline.mo",
                                         "share/locale/it/LC_MESSAGES/helpline.mo",
                                         "demo-support.ico",
                                         "Uninstall.exe"};
    for (const auto& f : files) {
        INFO(f);
        CHECK(fs::is_regular_file(inst / f));
    }
    CHECK(fs::is_regular_file(inst / "share/locale/de/LC_MESSAGES/helpline.mo"));
    auto stamp = run({kBrandTool, "inspect", (inst / "bin" / "demo-support.exe").string()});
    CHECK(stamp.exit_code == 0);
    CHECK_THAT(stamp.out, Catch::Contains("branded, signature valid"));
    const fs::path shortcut = wine.start_menu_dir() / "Demo Support.lnk";
    CHECK(fs::is_regular_file(shortcut));

    auto key = wine.command("wine", {"reg", "query", kUninstallKey + "demo-support"});
    INFO(key.out);
    REQUIRE(key.exit_code == 0);
    const std::string where = windows_install_dir(wine, "demo-support");
    CHECK(reg_value(key.out, "DisplayName") == "Demo Support");
    CHECK(reg_value(key.out, "Publisher") == "Demo Support");
    CHECK(reg_value(key.out, "DisplayVersion") == "1-0.1.0");
    CHECK(reg_value(key.out, "DisplayIcon") == where + "\\demo-support.ico");
    CHECK(reg_value(key.out, "InstallLocation") == where);
    CHECK(reg_value(key.out, "UninstallString") == "\"" + where + "\\Uninstall.exe\"");
    CHECK(reg_value(key.out, "QuietUninstallString") == "\"" + where + "\\Uninstall.exe\" /S");
    CHECK(reg_value(key.out, "HelpLink") == "https://demo.example/help");
    CHECK(reg_value(key.out, "NoModify") == "0x1");
    CHECK(reg_value(key.out, "NoRepair") == "0x1");
    CHECK(!reg_value(key.out, "EstimatedSize").empty());

    for (const std::string program : {"demo-support.exe", "demo-support-cli.exe"}) {
        auto ran = wine.command("wine", {(inst / "bin" / program).string()});
        CHECK(ran.exit_code == 0);
        CHECK_THAT(ran.out, Catch::Contains(kFakeOutput));
    }

    // Installing again (an update) removes what the old version installed, then installs,
    // and keeps what is not the installer's; this installer is Authenticode-signed, as a team
    // gives it out.
    write_text(inst / "share" / "notes.txt", "the customer's own\n");
    const fs::path sign_key = dir / "codesign.key", cert = dir / "codesign.crt";
    const fs::path signed_setup = dir / "signed-setup.exe";
    run_ok({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=Demo Code Signing", "-addext", "extendedKeyUsage=codeSigning", "-keyout",
            sign_key.string(), "-out", cert.string()});
    run_ok({"osslsigncode", "sign", "-certs", cert.string(), "-key", sign_key.string(), "-h",
            "sha256", "-in", setup.string(), "-out", signed_setup.string()});
    REQUIRE(wine.command("wine", {signed_setup.string(), "/S"}).exit_code == 0);
    for (const auto& f : files) CHECK(fs::is_regular_file(inst / f));
    CHECK(!fs::exists(inst / "share/locale/de"));
    CHECK(fs::is_regular_file(inst / "share" / "notes.txt"));

    // In place (_?=) the uninstaller runs to the end before wine returns; it cannot remove
    // itself while running, nor so its folder.
    auto removed = wine.command("wine", {(inst / "Uninstall.exe").string(), "/S", "_?=" + where});
    INFO(removed.out << removed.err);
    CHECK(removed.exit_code == 0);
    for (const auto& f : files)
        if (f != "Uninstall.exe") CHECK(!fs::exists(inst / f));
    for (const std::string folder : {"bin", "libexec", "share/locale"})
        CHECK(!fs::exists(inst / folder));
    CHECK(fs::is_regular_file(inst / "share" / "notes.txt"));
    CHECK(!fs::exists(shortcut));
    CHECK(wine.command("wine", {"reg", "query", kUninstallKey + "demo-support"}).exit_code != 0);

    // As Windows' list of apps runs it: the uninstaller copies itself away and removes the
    // rest, the folder too once it is empty.
    fs::remove_all(inst / "share");
    REQUIRE(wine.command("wine", {(inst / "Uninstall.exe").string(), "/S"}).exit_code == 0);
    CHECK(wait_for([&] { return !fs::exists(inst); }, std::chrono::seconds(30),
                   std::chrono::milliseconds(100)));
    CHECK(fs::exists(wine.programs_dir()));
}

TEST_CASE("Under Wine a hostile brand name reaches Windows exactly as written") {
    TempDir dir;
    const std::string hostile =
        "Evil\" !system \"touch x\" ${NSISDIR} $INSTDIR $(^Name) {x} 100% & co: a/b \\";
    auto doc = nlohmann::json::parse(read_text(fs::path(kDemoProfile) / "profile.json"));
    doc["name"]["en"] = hostile;
    fs::create_directories(dir / "p");
    write_text(dir / "p" / "profile.json", doc.dump(2));
    fs::copy_file(fs::path(kDemoProfile) / "logo.svg", dir / "p" / "logo.svg");
    auto built =
        run_nsis_package(make_windows_base(dir / "base"), dir / "out", {}, (dir / "p").string());
    INFO(built.out << built.err);
    REQUIRE(built.exit_code == 0);

    const WinePrefix wine;
    REQUIRE(wine.command("wine", {(dir / "out" / kDemoSetup).string(), "/S"}).exit_code == 0);
    auto key = wine.command("wine", {"reg", "query", kUninstallKey + "demo-support"});
    REQUIRE(key.exit_code == 0);
    CHECK(reg_value(key.out, "DisplayName") == hostile);
    CHECK(reg_value(key.out, "Publisher") == hostile);
    const std::string shortcut = helpline::brand::shortcut_file_name(hostile, "demo-support");
    CHECK(shortcut == "Evil !system touch x ${NSISDIR} $INSTDIR $(^Name) {x} 100% & co a b");
    CHECK(fs::is_regular_file(wine.start_menu_dir() / (shortcut + ".lnk")));
    const fs::path inst = wine.programs_dir() / "demo-support";
    REQUIRE(wine.command("wine", {(inst / "Uninstall.exe").string(), "/S",
                       "_?=" + windows_install_dir(wine, "demo-support")})
                .exit_code == 0);
    CHECK(!fs::exists(wine.start_menu_dir() / (shortcut + ".lnk")));
    CHECK(wine.command("wine", {"reg", "query", kUninstallKey + "demo-support"}).exit_code != 0);
}
