// helpline-brand package --format nsis (docs/installer.md, "The Windows installer"): the
// installer made by makensis from a Windows client base, read back with 7-Zip and inspect;
// the same bytes for the same inputs; every mistake refused with what to do.

#include <nlohmann/json.hpp>

#include "shared/pe_image.h"
#include "tests/branding/nsis_fixture.h"

using namespace helpline::test;
using namespace helpline::test::nsis;

namespace {

/// `7z l` of an installer, times in UTC.
std::string listing(const fs::path& setup) {
    return run_ok({"7z", "l", setup.string()}, {"TZ=UTC"});
}

/// The installer's files extracted into `dir`.
void extract(const fs::path& setup, const fs::path& dir) {
    run_ok({"7z", "x", "-y", "-o" + dir.string(), setup.string()});
}

bool starts_with(const helpline::Bytes& data, const helpline::Bytes& prefix) {
    return data.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), data.begin());
}

/// A copy of the demo profile with its English name replaced.
fs::path demo_named(const fs::path& dir, const std::string& name) {
    auto doc = nlohmann::json::parse(read_text(fs::path(kDemoProfile) / "profile.json"));
    doc["name"]["en"] = name;
    fs::create_directories(dir);
    write_text(dir / "profile.json", doc.dump(2));
    fs::copy_file(fs::path(kDemoProfile) / "logo.svg", dir / "logo.svg");
    return dir;
}

/// A folder whose only programs are links to `programs` (found in /usr/bin), for PATH.
fs::path path_with(const fs::path& dir, const std::vector<std::string>& programs) {
    fs::create_directories(dir);
    for (const auto& p : programs) fs::create_symlink(fs::path("/usr/bin") / p, dir / p);
    return dir;
}

}  // namespace

TEST_CASE("An installer is made from the Windows client base, and inspect reads it back") {
    TempDir dir;
    const fs::path base = make_windows_base(dir / "base");
    auto r = run_nsis_package(base, dir / "out");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const fs::path setup = dir / "out" / kDemoSetup;
    REQUIRE(fs::exists(setup));
    CHECK(pe_machine(read_bytes(setup)) == 0x8664);  // a 64-bit installer for a 64-bit client
    CHECK_THAT(r.out,
               Catch::Contains("Packaged demo-support 1-0.1.0 (Windows x86-64) for Demo Support"));
    CHECK_THAT(r.out, Catch::Contains(setup.string() + " ("));
    CHECK_THAT(r.out, Catch::Contains("Backends:   helpline-vnc.exe"));
    CHECK_THAT(r.out, Catch::Contains("Languages:  English, Portuguese, Italian"));
    CHECK_THAT(r.out, Catch::Contains("not Authenticode-signed"));

    const std::string list = listing(setup);
    for (const std::string file :
         {"bin/demo-support.exe", "bin/demo-support-cli.exe", "libexec/helpline-vnc.exe",
          "share/locale/pt/LC_MESSAGES/helpline.mo", "share/locale/it/LC_MESSAGES/helpline.mo",
          "demo-support.ico", "Uninstall.exe"})
        CHECK_THAT(list, Catch::Contains(file));

    // The programs are the base's bytes and a stamp; the rest is the base's as it is.
    extract(setup, dir / "x");
    const auto program = read_bytes(base / "bin" / "helpline.exe");
    const auto gui = read_bytes(dir / "x" / "bin" / "demo-support.exe");
    CHECK(gui.size() > program.size());
    CHECK(starts_with(gui, program));
    CHECK(starts_with(read_bytes(dir / "x" / "bin" / "demo-support-cli.exe"), program));
    CHECK(read_bytes(dir / "x" / "libexec" / "helpline-vnc.exe") == program);
    CHECK(read_bytes(dir / "x" / "share/locale/pt/LC_MESSAGES/helpline.mo") ==
          read_bytes(base / "share/locale/pt/LC_MESSAGES/helpline.mo"));
    const std::string icons =
        run_ok({"icotool", "--list", (dir / "x" / "demo-support.ico").string()});
    for (const std::string size : {"16", "32", "48", "256"})
        CHECK_THAT(icons, Catch::Contains("--width=" + size + " --height=" + size));
}

TEST_CASE("inspect verifies the programs inside an installer") {
    TempDir dir;
    REQUIRE(run_nsis_package(make_windows_base(dir / "base"), dir / "out").exit_code == 0);
    const fs::path setup = dir / "out" / kDemoSetup;
    auto text = run({kBrandTool, "inspect", setup.string()});
    INFO(text.out << text.err);
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.out,
               Catch::Contains(setup.string() +
                               ": Windows installer (NSIS), 2 program(s), 1 backend program(s)"));
    CHECK_THAT(text.out, Catch::Contains("bin/demo-support.exe: branded, signature valid"));
    CHECK_THAT(text.out, Catch::Contains("bin/demo-support-cli.exe: branded, signature valid"));
    CHECK_THAT(text.out, Catch::Contains("libexec/helpline-vnc.exe: backend program, not branded"));
    auto json = nlohmann::json::parse(run_ok({kBrandTool, "inspect", setup.string(), "--json"}));
    CHECK(json["format"] == "nsis");
    CHECK(json["valid"] == true);
    CHECK(json["programs"].size() == 2);
    CHECK(json["backends"].size() == 1);
    // Without 7-Zip inspect says what to install.
    auto no_7z = run({kBrandTool, "inspect", setup.string()},
                     {"PATH=" + path_with(dir / "bin", {}).string()});
    CHECK(no_7z.exit_code == 1);
    CHECK_THAT(no_7z.err, Catch::Contains("p7zip-full"));
}

TEST_CASE("The same inputs make the same installer, and the files carry SOURCE_DATE_EPOCH") {
    TempDir dir;
    const fs::path base = make_windows_base(dir / "base");
    REQUIRE(run_nsis_package(base, dir / "a").exit_code == 0);
    REQUIRE(run_nsis_package(base, dir / "b").exit_code == 0);
    REQUIRE(run_nsis_package(base, dir / "c", {"SOURCE_DATE_EPOCH=1700000000"}).exit_code == 0);
    const auto a = read_bytes(dir / "a" / kDemoSetup);
    CHECK(a == read_bytes(dir / "b" / kDemoSetup));
    CHECK(a != read_bytes(dir / "c" / kDemoSetup));
    // Default time 2026-01-01; SOURCE_DATE_EPOCH=1700000000 is 2023-11-14 22:13:20 UTC.
    auto time_of = [](const fs::path& setup, const std::string& file) {
        for (const auto& line : lines_of(listing(setup)))
            if (line.size() > file.size() && line.ends_with(" " + file)) return line.substr(0, 19);
        return std::string();
    };
    for (const std::string file :
         {"bin/demo-support.exe", "demo-support.ico", "share/locale/it/LC_MESSAGES/helpline.mo"}) {
        CHECK(time_of(dir / "a" / kDemoSetup, file) == "2026-01-01 00:00:00");
        CHECK(time_of(dir / "c" / kDemoSetup, file) == "2023-11-14 22:13:20");
    }
}

TEST_CASE("A hostile brand name cannot add commands to the installer script") {
    TempDir dir;
    const fs::path marker = dir / "injected";
    const std::string hostile = "Evil\" \n!system \"touch " + marker.string() +
                                "\"\nSection ${NSISDIR} $INSTDIR $(^Name) {x} 100% & co \\";
    const fs::path profile = demo_named(dir / "p", hostile);
    auto r = run_nsis_package(make_windows_base(dir / "base"), dir / "out", {}, profile.string());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(!fs::exists(marker));
    CHECK(run({kBrandTool, "inspect", (dir / "out" / kDemoSetup).string()}).exit_code == 0);
}

TEST_CASE("A signed Windows base is stamped without its signature") {
    TempDir dir;
    const fs::path base = make_windows_base(dir / "base");
    const fs::path key = dir / "codesign.key", cert = dir / "codesign.crt";
    run_ok({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=Contoso Code Signing", "-addext", "extendedKeyUsage=codeSigning", "-keyout",
            key.string(), "-out", cert.string()});
    const fs::path program = base / "bin" / "helpline.exe";
    run_ok({"osslsigncode", "sign", "-certs", cert.string(), "-key", key.string(), "-h", "sha256",
            "-in", program.string(), "-out", (dir / "signed.exe").string()});
    fs::copy_file(dir / "signed.exe", program, fs::copy_options::overwrite_existing);
    REQUIRE(helpline::read_pe_certificate_table(program)->offset != 0);

    auto r = run_nsis_package(base, dir / "out");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Authenticode signature was removed"));
    extract(dir / "out" / kDemoSetup, dir / "x");
    const auto table = helpline::read_pe_certificate_table(dir / "x" / "bin" / "demo-support.exe");
    REQUIRE(table);
    CHECK(table->offset == 0);
    CHECK(table->size == 0);
    CHECK(run({kBrandTool, "inspect", (dir / "out" / kDemoSetup).string()}).exit_code == 0);
}

TEST_CASE("package --format nsis refuses what is not a Windows client base, saying what to use") {
    TempDir dir;
    auto refused = [&](const fs::path& base, const std::string& message,
                       const std::vector<std::string>& env = {}) {
        auto r = run_nsis_package(base, dir / "out", env);
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains(message));
        CHECK(!fs::exists(dir / "out" / kDemoSetup));
    };
    refused(kClientBase, "it is a Linux client base: --format deb,tgz packages it");
    refused(dir / "none", "is not a folder. Pass the Windows client base");

    const fs::path elf = make_windows_base(dir / "elf");
    fs::copy_file("/bin/true", elf / "bin" / "helpline.exe", fs::copy_options::overwrite_existing);
    refused(elf, "is not a Windows program (PE) but a Linux (ELF) one");

    const fs::path x86 = make_windows_base(dir / "x86");
    auto bytes = read_bytes(x86 / "bin" / "helpline-cli.exe");
    const std::size_t pe = helpline::read_u32le(bytes.data() + 0x3C);
    bytes[pe + 4] = 0x4C;  // IMAGE_FILE_MACHINE_I386
    bytes[pe + 5] = 0x01;
    write_text(x86 / "bin" / "helpline-cli.exe", std::string(bytes.begin(), bytes.end()));
    refused(x86, "is a Windows program for 32-bit x86");

    const fs::path no_version = make_windows_base(dir / "no-version");
    fs::remove(no_version / "version");
    refused(no_version, "has no readable 'version' file");

    const fs::path odd_backend = make_windows_base(dir / "odd-backend");
    write_text(odd_backend / "libexec" / "notes.txt", "not a program\n");
    refused(odd_backend, "libexec/notes.txt");

    const fs::path stamped = make_windows_base(dir / "stamped");
    run_ok({kBrandTool, "stamp", "--profile", kDemoProfile, "--key", kKey, "--client",
            (stamped / "bin" / "helpline.exe").string(), "--out", (dir / "branded.exe").string()});
    fs::copy_file(dir / "branded.exe", stamped / "bin" / "helpline.exe",
                  fs::copy_options::overwrite_existing);
    refused(stamped, "is already branded");

    const fs::path good = make_windows_base(dir / "good");
    refused(good, "sudo apt install nsis",
            {"PATH=" + path_with(dir / "no-nsis", {"rsvg-convert", "icotool"}).string()});
    refused(good, "icoutils",
            {"PATH=" + path_with(dir / "no-icotool", {"rsvg-convert", "makensis"}).string()});

    // Without --client: beside the tool, where a build folder has none.
    auto missing = run({kBrandTool, "package", "--profile", kDemoProfile, "--key", kKey, "--format",
                        "nsis", "--out", (dir / "out").string()});
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.err, Catch::Contains("lib/helpline/client-base-windows"));
}

TEST_CASE("package refuses to mix the Windows installer with Linux packages") {
    TempDir dir;
    auto r = run({kBrandTool, "package", "--profile", kDemoProfile, "--key", kKey, "--client",
                  kClientBase, "--format", "deb,nsis", "--out", (dir / "out").string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("Run package twice: --format nsis --client <Windows base>"));
    CHECK(!fs::exists(dir / "out"));
}
