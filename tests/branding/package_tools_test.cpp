// helpline-brand package: what Debian's own tools say about the demo brand's packages, and
// install.sh of the .tar.gz in a temporary HOME.

#include <unistd.h>

#include "tests/branding/package_fixture.h"

using namespace helpline::test;
using namespace helpline::test::brand_package;

namespace {

/// Every file below `root`, relative, sorted.
std::set<std::string> tree_of(const fs::path& root) {
    std::set<std::string> paths;
    for (const auto& e : fs::recursive_directory_iterator(root))
        paths.insert(e.path().lexically_relative(root).generic_string());
    return paths;
}

/// The .tar.gz unpacked into `dir`; its folder.
fs::path unpack_tgz(const TempDir& dir) {
    run_ok({"tar", "--extract", "--file", (demo_packages() / kDemoTgz).string(), "--directory",
            dir.path().string()});
    return dir / "demo-support-1-0.1.0";
}

}  // namespace

TEST_CASE("dpkg-deb reads the .deb, and lintian finds no error and no warning in it") {
    const fs::path deb = demo_packages() / kDemoDeb;
    const std::string info = run_ok({"dpkg-deb", "--info", deb.string()});
    CHECK_THAT(info, Catch::Contains("new Debian package, version 2.0."));
    CHECK_THAT(info, Catch::Contains("control"));
    CHECK_THAT(info, Catch::Contains("md5sums"));

    // Every tag at every level is printed (-I --pedantic -E); the ones that remain are
    // justified in docs/installer.md. Errors and warnings make lintian fail here.
    auto r = run({"lintian", "--info", "--pedantic", "--display-experimental", "--fail-on",
                  "error,warning", deb.string()});
    INFO("lintian:\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    for (const auto& line : lines_of(r.out)) {
        CHECK(!line.starts_with("E: "));
        CHECK(!line.starts_with("W: "));
    }
}

TEST_CASE(
    "desktop-file-validate and appstreamcli validate accept the menu entry and the metainfo") {
    TempDir dir;
    run_ok(
        {"dpkg-deb", "--extract", (demo_packages() / kDemoDeb).string(), (dir / "deb").string()});
    const fs::path tgz = unpack_tgz(dir);
    for (const auto& root : {dir / "deb/usr/share", tgz / "share"}) {
        INFO(root.string());
        run_ok({"desktop-file-validate", (root / "applications/demo-support.desktop").string()});
        // --no-net: the URLs in a profile need not be reachable from the machine that builds.
        const std::string as =
            run_ok({"appstreamcli", "validate", "--no-net", "--pedantic",
                    (root / "metainfo/example.demo.demo_support.metainfo.xml").string()});
        CHECK_THAT(as, Catch::Contains("Validation was successful"));
    }
    const std::string desktop = read_text(dir / "deb/usr/share/applications/demo-support.desktop");
    for (const auto& line :
         {"Name=Demo Support", "Name[pt]=Suporte Demo", "Name[it]=Assistenza Demo",
          "Comment=Get help from your support team",
          "Comment[pt]=Obtenha ajuda da sua equipa de suporte",
          "Comment[it]=Ricevi aiuto dal tuo team di supporto", "Icon=demo-support",
          "Exec=demo-support", "Categories=Network;RemoteAccess;"})
        CHECK_THAT(desktop, Catch::Contains(std::string("\n") + line + "\n"));
    CHECK_THAT(desktop, !Catch::Contains("[pt_BR]"));  // not one of the demo's languages
}

TEST_CASE("install.sh installs into ~/.local of a temporary HOME and --uninstall leaves nothing") {
    TempDir dir;
    const fs::path folder = unpack_tgz(dir);
    const fs::path home = dir / "home";
    fs::create_directories(home);
    const std::vector<std::string> env{"HOME=" + home.string(), "XDG_DATA_HOME="};
    auto installed = run({"sh", (folder / "install.sh").string()}, env);
    INFO(installed.out << installed.err);
    REQUIRE(installed.exit_code == 0);
    CHECK_THAT(installed.out, Catch::Contains("Installed Demo Support 1-0.1.0"));

    const fs::path local = home / ".local";
    CHECK(fs::is_symlink(local / "bin/demo-support"));
    CHECK(fs::read_symlink(local / "bin/demo-support") ==
          local / "lib/demo-support/bin/demo-support");
    CHECK(fs::exists(local / "lib/demo-support/share/locale/pt/LC_MESSAGES/helpline.mo"));
    // The backends where the client looks first (<its folder>/../libexec), each in the list.
    for (const auto& backend : kBackends) {
        const fs::path path = local / "lib/demo-support/libexec" / backend;
        INFO(path.string());
        CHECK(::access(path.c_str(), X_OK) == 0);
        CHECK(read_text(path) == read_text(fs::path(kClientBase) / "libexec" / backend));
    }
    CHECK(fs::exists(local / "share/icons/hicolor/48x48/apps/demo-support.png"));
    CHECK(fs::exists(local / "share/icons/hicolor/scalable/apps/demo-support.svg"));
    CHECK(fs::exists(local / "share/man/man1/demo-support.1.gz"));
    const fs::path desktop = local / "share/applications/demo-support.desktop";
    CHECK_THAT(
        read_text(desktop),
        Catch::Contains("\nExec=" + (local / "lib/demo-support/bin/demo-support").string() + "\n"));
    run_ok({"desktop-file-validate", desktop.string()});
    const auto check = run({(local / "bin/demo-support").string(), "--check-brand"}, {"DISPLAY="});
    CHECK(check.exit_code == 0);
    CHECK(run({(local / "bin/demo-support-cli").string(), "--check-brand"}, env).exit_code == 0);
    const std::string list = read_text(local / "lib/demo-support/installed-files");
    CHECK_THAT(list, Catch::Contains("f " + desktop.string() + "\n"));
    CHECK_THAT(list, Catch::Contains("l " + (local / "bin/demo-support").string() + "\n"));
    for (const auto& backend : kBackends)
        CHECK_THAT(
            list,
            Catch::Contains("f " + (local / "lib/demo-support/libexec" / backend).string() + "\n"));
    CHECK_THAT(list, Catch::Contains("d " + (local / "lib/demo-support/libexec").string() + "\n"));
    CHECK_THAT(installed.err, !Catch::Contains("Warning"));

    // Again over itself (an update): what was there is replaced, nothing doubles.
    const auto before = tree_of(home);
    REQUIRE(run({"sh", (folder / "install.sh").string()}, env).exit_code == 0);
    CHECK(tree_of(home) == before);

    // The installed copy uninstalls, also when the unpacked folder is gone.
    fs::remove_all(folder);
    auto removed = run({(local / "lib/demo-support/install.sh").string(), "--uninstall"}, env);
    INFO(removed.out << removed.err);
    CHECK(removed.exit_code == 0);
    CHECK(tree_of(home).empty());
}

TEST_CASE("install.sh --uninstall removes only what it installed") {
    TempDir dir;
    const fs::path folder = unpack_tgz(dir);
    const fs::path home = dir / "home";
    // The user's own files in the same folders stay, and so do those folders.
    fs::create_directories(home / ".local/share/applications");
    fs::create_directories(home / ".local/bin");
    write_text(home / ".local/share/applications/other.desktop",
               "[Desktop Entry]\nType=Application\nName=Other\nExec=other\n");
    write_text(home / ".local/bin/mine", "#!/bin/sh\n");
    const auto before = tree_of(home);
    const std::vector<std::string> env{"HOME=" + home.string(), "XDG_DATA_HOME="};
    REQUIRE(run({"sh", (folder / "install.sh").string()}, env).exit_code == 0);
    REQUIRE(run({"sh", (folder / "install.sh").string(), "--uninstall"}, env).exit_code == 0);
    auto after = tree_of(home);
    // update-desktop-database indexed the user's other entry: its cache now serves that one.
    after.erase(".local/share/applications/mimeinfo.cache");
    CHECK(after == before);

    auto not_installed = run({"sh", (folder / "install.sh").string(), "--uninstall"}, env);
    CHECK(not_installed.exit_code == 1);
    CHECK_THAT(not_installed.err, Catch::Contains("is not installed for this user"));
    CHECK(run({"sh", (folder / "install.sh").string(), "--frobnicate"}, env).exit_code == 2);
}

TEST_CASE("install.sh writes a valid Exec for a home folder with spaces and quotes") {
    TempDir dir;
    const fs::path folder = unpack_tgz(dir);
    const fs::path home = dir / "a b$c\"d 100%";
    fs::create_directories(home);
    const std::vector<std::string> env{"HOME=" + home.string(), "XDG_DATA_HOME="};
    REQUIRE(run({"sh", (folder / "install.sh").string()}, env).exit_code == 0);
    const fs::path desktop = home / ".local/share/applications/demo-support.desktop";
    // Desktop Entry Specification: quoted, with $ and " escaped by a backslash that is itself
    // escaped as in every string value, and % doubled.
    CHECK_THAT(
        read_text(desktop),
        Catch::Contains("\nExec=\"" + dir.path().string() +
                        "/a b\\\\$c\\\\\"d 100%%/.local/lib/demo-support/bin/demo-support\"\n"));
    run_ok({"desktop-file-validate", desktop.string()});
    REQUIRE(run({"sh", (folder / "install.sh").string(), "--uninstall"}, env).exit_code == 0);
    CHECK(tree_of(home).empty());
}
