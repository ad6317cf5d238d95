// helpline-brand package: what the demo brand's .deb and .tar.gz hold, their control
// fields, and that the same inputs give the same bytes.

#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/branding/package_fixture.h"

using namespace helpline::test;
using namespace helpline::test::brand_package;

namespace {

const std::vector<std::string> kIconSizes{"16x16", "22x22", "24x24",   "32x32",
                                          "48x48", "64x64", "128x128", "256x256"};

/// Every file and link a brand's package has under `share` ("usr/share" or "share").
std::set<std::string> shared_files(const std::string& share, const std::string& id,
                                   const std::string& cid) {
    std::set<std::string> files{share + "/applications/" + id + ".desktop",
                                share + "/icons/hicolor/scalable/apps/" + id + ".svg",
                                share + "/metainfo/" + cid + ".metainfo.xml",
                                share + "/man/man1/" + id + ".1.gz",
                                share + "/man/man1/" + id + "-cli.1.gz"};
    for (const auto& size : kIconSizes)
        files.insert(share + "/icons/hicolor/" + size + "/apps/" + id + ".png");
    return files;
}

std::string field(const fs::path& deb, const std::string& name) {
    return trimmed(run_ok({"dpkg-deb", "--field", deb.string(), name}));
}

}  // namespace

TEST_CASE(
    "the demo brand's .deb holds the stamped programs, translations, menu entry, icons and docs") {
    const fs::path deb = demo_packages() / kDemoDeb;
    const auto listing =
        parse_listing(run_ok({"dpkg-deb", "--contents", deb.string()}, {"TZ=UTC"}));

    std::set<std::string> expected =
        shared_files("usr/share", "demo-support", "example.demo.demo_support");
    expected.insert({"usr/lib/demo-support/bin/demo-support",
                     "usr/lib/demo-support/bin/demo-support-cli", "usr/bin/demo-support",
                     "usr/bin/demo-support-cli", "usr/share/doc/demo-support/copyright",
                     "usr/share/doc/demo-support/changelog.Debian.gz"});
    for (const auto& lang : {"it", "pt", "pt_BR"})
        expected.insert(std::string("usr/lib/demo-support/share/locale/") + lang +
                        "/LC_MESSAGES/helpline.mo");
    for (const auto& backend : kBackends)
        expected.insert("usr/lib/demo-support/libexec/" + backend);
    std::set<std::string> files;
    for (const auto& [path, e] : listing) {
        INFO(path);
        CHECK(e.owner == "root/root");
        CHECK(e.date == "2026-01-01 00:00");  // the documented default time
        if (e.mode.front() == 'd') {
            CHECK(e.mode == "drwxr-xr-x");
            CHECK((path.empty() || path.back() == '/'));
        } else {
            files.insert(path);
        }
    }
    CHECK(files == expected);
    REQUIRE(listing.count("") == 1);  // "./" first, as dpkg-deb writes it
    CHECK(listing.begin()->first.empty());

    CHECK(listing.at("usr/lib/demo-support/bin/demo-support").mode == "-rwxr-xr-x");
    CHECK(listing.at("usr/lib/demo-support/bin/demo-support-cli").mode == "-rwxr-xr-x");
    for (const auto& backend : kBackends)
        CHECK(listing.at("usr/lib/demo-support/libexec/" + backend).mode == "-rwxr-xr-x");
    CHECK(listing.at("usr/share/applications/demo-support.desktop").mode == "-rw-r--r--");
    CHECK(listing.at("usr/bin/demo-support").mode == "lrwxrwxrwx");
    CHECK(listing.at("usr/bin/demo-support").target == "../lib/demo-support/bin/demo-support");
    CHECK(listing.at("usr/bin/demo-support-cli").target ==
          "../lib/demo-support/bin/demo-support-cli");
}

TEST_CASE(
    "the .deb's control fields name the brand, its version, architecture, dependencies and "
    "maintainer") {
    const fs::path deb = demo_packages() / kDemoDeb;
    CHECK(field(deb, "Package") == "demo-support");
    CHECK(field(deb, "Version") == "1-" + trimmed(read_text(fs::path(kClientBase) / "version")));
    CHECK(field(deb, "Architecture") == trimmed(run_ok({"dpkg", "--print-architecture"})));
    CHECK(field(deb, "Depends") ==
          trimmed(read_text(fs::path(kClientBase) / "depends")) + ", x11vnc");
    // What the Wayland backends use and the package does not depend on (docs/installer.md).
    CHECK(field(deb, "Recommends") ==
          (ships_backend("helpline-portal-vnc") ? "xdg-desktop-portal" : ""));
    CHECK(field(deb, "Suggests") == (ships_backend("helpline-vnc-auth") ? "wayvnc" : ""));
    CHECK(field(deb, "Maintainer") == "Demo Support <help@demo.example>");
    CHECK(field(deb, "Section") == "net");
    CHECK(field(deb, "Priority") == "optional");
    CHECK(field(deb, "Homepage") == "https://demo.example/help");
    const std::string description = field(deb, "Description");
    CHECK_THAT(description, Catch::StartsWith("Demo Support: remote support client\n"));
    CHECK_THAT(description, Catch::Contains(" Need help? Click Assistance"));  // the welcome text
    CHECK(std::stoll(field(deb, "Installed-Size")) > 1000);

    // md5sums in the control archive match the files.
    TempDir dir;
    run_ok({"dpkg-deb", "--raw-extract", deb.string(), (dir / "root").string()});
    const std::string sums = read_text(dir / "root/DEBIAN/md5sums");
    CHECK(lines_of(sums).size() == 20 + kBackends.size());
    run_ok(
        {"env", "-C", (dir / "root").string(), "md5sum", "--check", "--quiet", "DEBIAN/md5sums"});
}

TEST_CASE("the programs in the .deb verify with inspect and still run --check-brand") {
    const fs::path deb = demo_packages() / kDemoDeb;
    auto r = run({kBrandTool, "inspect", deb.string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Debian package demo-support 1-"));
    CHECK_THAT(r.out,
               Catch::Contains("usr/lib/demo-support/bin/demo-support: branded, signature valid"));
    CHECK_THAT(r.out, Catch::Contains(
                          "usr/lib/demo-support/bin/demo-support-cli: branded, signature valid"));
    CHECK_THAT(r.out, Catch::Contains("Signed by:  SHA256:"));
    // The backends are listed, unbranded, with their size; they do not make the package invalid.
    CHECK_THAT(r.out, Catch::Contains(
                          fmt::format("2 program(s), {} backend program(s)\n", kBackends.size())));
    for (const auto& backend : kBackends)
        CHECK_THAT(r.out,
                   Catch::Contains(fmt::format(
                       "usr/lib/demo-support/libexec/{}: backend program, not branded ({} bytes)\n",
                       backend, fs::file_size(fs::path(kClientBase) / "libexec" / backend))));
    auto json = run({kBrandTool, "inspect", "--json", deb.string()});
    CHECK(json.exit_code == 0);
    const auto doc = nlohmann::json::parse(json.out);
    CHECK(doc["format"] == "deb");
    CHECK(doc["package"]["name"] == "demo-support");
    CHECK(doc["valid"] == true);
    CHECK(doc["programs"].size() == 2);
    REQUIRE(doc["backends"].size() == kBackends.size());
    for (std::size_t i = 0; i < kBackends.size(); ++i)
        CHECK(doc["backends"][i]["file"] == "usr/lib/demo-support/libexec/" + kBackends[i]);

    TempDir dir;
    run_ok({"dpkg-deb", "--extract", deb.string(), dir.path().string()});
    const fs::path bin = dir / "usr/lib/demo-support/bin";
    for (const auto& program : {"demo-support", "demo-support-cli"}) {
        INFO(program);
        CHECK(run({kBrandTool, "inspect", (bin / program).string()}).exit_code == 0);
        const auto check = run({(bin / program).string(), "--check-brand"}, {"DISPLAY="});
        INFO(check.out << check.err);
        CHECK(check.exit_code == 0);
        CHECK_THAT(check.out,
                   Catch::Contains("branded for Demo Support (profile demo-support, revision 1)"));
    }
    // The programs are the base's plus the stamp: the bytes before the stamp are the base's.
    const std::string base = read_text(fs::path(kClientBase) / "bin/helpline");
    const std::string stamped = read_text(bin / "demo-support");
    CHECK(stamped.size() > base.size());
    CHECK(stamped.compare(0, base.size(), base) == 0);
}

TEST_CASE("the .tar.gz holds one folder with the programs, share/, install.sh and READMEs") {
    const fs::path tgz = demo_packages() / kDemoTgz;
    const auto listing =
        parse_listing(run_ok({"tar", "--list", "--verbose", "--file", tgz.string()}, {"TZ=UTC"}));
    const std::string top = "demo-support-1-0.1.0/";
    std::set<std::string> expected;
    for (const auto& f : shared_files("share", "demo-support", "example.demo.demo_support"))
        expected.insert(top + f);
    for (const auto& f : {"bin/demo-support", "bin/demo-support-cli", "install.sh", "README",
                          "README.pt", "README.it"})
        expected.insert(top + f);
    for (const auto& backend : kBackends) expected.insert(top + "libexec/" + backend);
    for (const auto& lang : {"it", "pt", "pt_BR"})
        expected.insert(top + "share/locale/" + lang + "/LC_MESSAGES/helpline.mo");
    std::set<std::string> files;
    for (const auto& [path, e] : listing) {
        INFO(path);
        CHECK(path.starts_with(top));
        CHECK(e.owner == "root/root");
        CHECK(e.date == "2026-01-01 00:00");
        if (e.mode.front() != 'd') files.insert(path);
    }
    CHECK(files == expected);
    CHECK(listing.at(top + "install.sh").mode == "-rwxr-xr-x");
    CHECK(listing.at(top + "bin/demo-support").mode == "-rwxr-xr-x");
    for (const auto& backend : kBackends)
        CHECK(listing.at(top + "libexec/" + backend).mode == "-rwxr-xr-x");
    CHECK(listing.at(top + "README").mode == "-rw-r--r--");

    TempDir dir;
    run_ok({"tar", "--extract", "--file", tgz.string(), "--directory", dir.path().string()});
    const std::string readme = read_text(dir / top / "README");
    CHECK_THAT(readme, Catch::Contains("./install.sh --uninstall"));
    CHECK_THAT(readme, Catch::Contains("help@demo.example"));
    const std::string readme_pt = read_text(dir / top / "README.pt");
    CHECK_THAT(readme_pt, Catch::StartsWith("Suporte Demo\n"));
    CHECK_THAT(readme_pt, Catch::Contains("DESINSTALAR"));
    CHECK_THAT(read_text(dir / top / "README.it"), Catch::Contains("DISINSTALLAZIONE"));
    if (ships_backend("helpline-portal-vnc")) {
        CHECK_THAT(readme, Catch::Contains("On a Wayland desktop"));
        CHECK_THAT(readme_pt, Catch::Contains("Num ambiente de trabalho Wayland"));
    }

    auto r = run({kBrandTool, "inspect", tgz.string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains(top + "bin/demo-support-cli: branded, signature valid"));
}

TEST_CASE(
    "the same inputs give byte-identical packages, and another SOURCE_DATE_EPOCH other bytes") {
    TempDir dir;
    REQUIRE(run_package(dir / "a").exit_code == 0);
    REQUIRE(run_package(dir / "b", {}, {"SOURCE_DATE_EPOCH=1767225600"}).exit_code == 0);
    REQUIRE(run_package(dir / "c", {}, {"SOURCE_DATE_EPOCH=1750000000"}).exit_code == 0);
    for (const auto& name : {kDemoDeb, kDemoTgz}) {
        INFO(name);
        const std::string a = read_text(dir / "a" / name);
        CHECK(a == read_text(demo_packages() / name));  // another process, another day
        CHECK(a == read_text(dir / "b" / name));        // the default time is 1767225600
        CHECK(a != read_text(dir / "c" / name));
    }
    const auto later = parse_listing(
        run_ok({"dpkg-deb", "--contents", (dir / "c" / kDemoDeb).string()}, {"TZ=UTC"}));
    CHECK(later.at("usr/bin/demo-support").date == "2025-06-15 15:06");
    // No time in the gzip header (bytes 4-7): the .tar.gz depends on its inputs only.
    const std::string tgz = read_text(dir / "a" / kDemoTgz);
    CHECK(tgz.substr(0, 2) == "\x1f\x8b");
    CHECK(tgz.substr(4, 4) == std::string(4, '\0'));
}

TEST_CASE("package --format deb or tgz builds only the package asked for") {
    TempDir dir;
    REQUIRE(run_package(dir / "deb", {"--format", "deb"}).exit_code == 0);
    REQUIRE(run_package(dir / "tgz", {"--format", "tgz"}).exit_code == 0);
    CHECK(fs::exists(dir / "deb" / kDemoDeb));
    CHECK(!fs::exists(dir / "deb" / kDemoTgz));
    CHECK(fs::exists(dir / "tgz" / kDemoTgz));
    CHECK(!fs::exists(dir / "tgz" / kDemoDeb));
    CHECK(read_text(dir / "deb" / kDemoDeb) == read_text(demo_packages() / kDemoDeb));
    // Written atomically: no temporary file is left beside them.
    CHECK(std::distance(fs::directory_iterator(dir / "deb"), fs::directory_iterator()) == 1);
}

TEST_CASE("package says how to install what it made, with paths that work from where it ran") {
    TempDir dir;
    const auto r = run_package(dir / "out");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const fs::path out = dir / "out";
    CHECK_THAT(r.out,
               Catch::Contains("Install: sudo apt install " + (out / kDemoDeb).string() + "\n"));
    CHECK_THAT(r.out, Catch::Contains("or: tar xzf " + (out / kDemoTgz).string() +
                                      " && demo-support-1-0.1.0/install.sh"));
    // What else the package carries and relates to, besides the programs.
    std::string backends;
    for (const auto& b : kBackends) backends += (backends.empty() ? "" : ", ") + b;
    CHECK_THAT(r.out, Catch::Contains("\n  Backends:   " + backends + "\n"));
    if (ships_backend("helpline-portal-vnc"))
        CHECK_THAT(r.out, Catch::Contains("\n  Recommends: xdg-desktop-portal\n"));
    CHECK_THAT(r.out, Catch::Contains("\n  Suggests:   wayvnc\n"));
}

TEST_CASE(
    "the backends go into the .deb and the .tar.gz as the base has them: executable, stripped, "
    "their libraries in Depends") {
    // vnc-auth needs no optional library, so every build ships it.
    CHECK(ships_backend("helpline-vnc-auth"));
    std::set<std::string> in_base;
    for (const auto& e : fs::directory_iterator(fs::path(kClientBase) / "libexec"))
        in_base.insert(e.path().filename().string());
    CHECK(in_base == std::set<std::string>(kBackends.begin(), kBackends.end()));

    TempDir dir;
    run_ok(
        {"dpkg-deb", "--extract", (demo_packages() / kDemoDeb).string(), (dir / "deb").string()});
    fs::create_directories(dir / "tgz");
    run_ok({"tar", "--extract", "--file", (demo_packages() / kDemoTgz).string(), "--directory",
            (dir / "tgz").string()});
    for (const auto& backend : kBackends) {
        INFO(backend);
        const fs::path base = fs::path(kClientBase) / "libexec" / backend;
        const std::string bytes = read_text(base);
        for (const fs::path& copy : {dir / "deb/usr/lib/demo-support/libexec" / backend,
                                     dir / "tgz/demo-support-1-0.1.0/libexec" / backend}) {
            INFO(copy.string());
            CHECK(read_text(copy) == bytes);
            CHECK(::access(copy.c_str(), X_OK) == 0);
        }
        // Stripped like the programs: no symbol table.
        CHECK_THAT(run_ok({"readelf", "--section-headers", "--wide", base.string()}),
                   !Catch::Contains(".symtab"));
        // It starts from where the client looks (its libraries are on this machine).
        const auto help =
            run({(dir / "deb/usr/lib/demo-support/libexec" / backend).string(), "--help"});
        INFO(help.out << help.err);
        CHECK(help.exit_code == 0);
    }
    const std::string depends = field(demo_packages() / kDemoDeb, "Depends");
    if (ships_backend("helpline-portal-vnc"))
        for (const auto& library : {"libportal1 ", "libvncserver1 ", "libpipewire-0.3-0 "})
            CHECK_THAT(depends, Catch::Contains(library));
}

TEST_CASE(
    "a client base without libexec/ (before the backends) makes packages without them and "
    "without Recommends or Suggests") {
    TempDir dir;
    fs::copy(kClientBase, dir / "base", fs::copy_options::recursive);
    fs::remove_all(dir / "base/libexec");
    auto r = run_package(dir / "out", {"--client", (dir / "base").string()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const fs::path deb = dir / "out" / kDemoDeb;
    for (const auto& path : deb_files(deb)) CHECK(path.find("/libexec/") == std::string::npos);
    CHECK(field(deb, "Recommends").empty());
    CHECK(field(deb, "Suggests").empty());
    const auto inspected = run({kBrandTool, "inspect", deb.string()});
    CHECK(inspected.exit_code == 0);
    CHECK_THAT(inspected.out, Catch::Contains("2 program(s)\n"));
    TempDir t;
    run_ok({"tar", "--extract", "--file", (dir / "out" / kDemoTgz).string(), "--directory",
            t.path().string()});
    CHECK(!fs::exists(t / "demo-support-1-0.1.0/libexec"));
    CHECK_THAT(read_text(t / "demo-support-1-0.1.0/README"), !Catch::Contains("Wayland"));
}
