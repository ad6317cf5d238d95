// helpline-brand package: each mistake is refused with a message saying what is wrong and
// how to fix it, and the exit code the other commands use (1 invalid input, 2 usage).

#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "branding/tool/appstream.h"
#include "branding/tool/debian_names.h"
#include "branding/tool/elf_arch.h"
#include "tests/branding/package_fixture.h"

using namespace helpline::test;
using namespace helpline::test::brand_package;

namespace {

fs::path demo_copy(const fs::path& dir, const std::function<void(nlohmann::json&)>& change) {
    auto doc = nlohmann::json::parse(read_text(fs::path(kDemoProfile) / "profile.json"));
    change(doc);
    fs::create_directories(dir);
    write_text(dir / "profile.json", doc.dump(2));
    fs::copy_file(fs::path(kDemoProfile) / "logo.svg", dir / "logo.svg");
    return dir;
}

}  // namespace

TEST_CASE("package without a client base says to pass --client") {
    TempDir dir;
    auto given = run({kBrandTool, "package", "--profile", kDemoProfile, "--key", kKey, "--client",
                      (dir / "nothing").string(), "--out", (dir / "out").string()});
    CHECK(given.exit_code == 1);
    CHECK_THAT(given.err, Catch::Contains("is not a folder"));
    CHECK_THAT(given.err, Catch::Contains("--client"));
    // Without --client: the installed place beside the tool, which a build folder does not have.
    auto missing = run({kBrandTool, "package", "--profile", kDemoProfile, "--key", kKey, "--out",
                        (dir / "out").string()});
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.err, Catch::Contains("lib/helpline/client-base"));
    CHECK_THAT(missing.err, Catch::Contains("pass --client"));
    CHECK_THAT(missing.err, Catch::Contains("helpline-client-base"));
    // A folder that is not a base.
    fs::create_directories(dir / "empty");
    auto empty = run_package(dir / "out", {"--client", (dir / "empty").string()});
    CHECK(empty.exit_code == 1);
    CHECK_THAT(empty.err, Catch::Contains("has no bin/helpline. Pass the folder"));
    CHECK(!fs::exists(dir / "out" / kDemoDeb));
}

TEST_CASE("package refuses a profile without a support contact, saying what to add") {
    TempDir dir;
    const fs::path profile =
        demo_copy(dir / "p", [](nlohmann::json& doc) { doc.erase("support"); });
    auto r = run_package(dir / "out", {}, {}, profile.string());
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("no support contact"));
    CHECK_THAT(r.err, Catch::Contains("\"support\": {\"email\": "));
}

TEST_CASE("package refuses a profile id of the project's own packages") {
    TempDir dir;
    const fs::path profile =
        demo_copy(dir / "p", [](nlohmann::json& doc) { doc["id"] = "helpline-server"; });
    auto r = run_package(dir / "out", {}, {}, profile.string());
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("helpline-*"));
    CHECK_THAT(r.err, Catch::Contains("\"acme-support\""));
}

TEST_CASE("package refuses an unknown format as a usage error") {
    TempDir dir;
    auto r = run_package(dir / "out", {"--format", "deb,rpm"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("unknown package format \"rpm\""));
    CHECK_THAT(r.err, Catch::Contains("deb, tgz or both"));
}

TEST_CASE("package without rsvg-convert says which Debian package has it") {
    TempDir dir;
    auto r = run_package(dir / "out", {}, {"PATH=" + (dir / "empty-path").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("rsvg-convert was not found"));
    CHECK_THAT(r.err, Catch::Contains("librsvg2-bin"));
}

TEST_CASE("package into a folder that cannot be written says to pass another --out") {
    TempDir dir;
    write_text(dir / "file", "not a folder");
    auto r = run_package(dir / "file" / "out");
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("cannot write the packages into the folder"));
    CHECK_THAT(r.err, Catch::Contains("--out"));
    if (::geteuid() != 0) {  // root writes anywhere
        fs::create_directories(dir / "read-only");
        ::chmod((dir / "read-only").c_str(), 0555);
        auto ro = run_package(dir / "read-only");
        CHECK(ro.exit_code == 1);
        CHECK_THAT(ro.err, Catch::Contains("--out"));
    }
}

TEST_CASE("package refuses a SOURCE_DATE_EPOCH that is not a number") {
    TempDir dir;
    auto r = run_package(dir / "out", {}, {"SOURCE_DATE_EPOCH=yesterday"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("SOURCE_DATE_EPOCH"));
}

TEST_CASE("package refuses a base whose programs are already branded") {
    TempDir dir;
    fs::copy(kClientBase, dir / "base", fs::copy_options::recursive);
    run_ok({kBrandTool, "stamp", "--profile", kDemoProfile, "--key", kKey, "--client",
            (dir / "base/bin/helpline").string(), "--out", (dir / "stamped").string()});
    fs::copy_file(dir / "stamped", dir / "base/bin/helpline", fs::copy_options::overwrite_existing);
    auto r = run_package(dir / "out", {"--client", (dir / "base").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("already branded"));
}

TEST_CASE("package refuses a base whose libexec/ holds something other than its backends") {
    TempDir dir;
    fs::copy(kClientBase, dir / "base", fs::copy_options::recursive);
    const fs::path libexec = dir / "base/libexec";
    fs::create_directories(libexec);
    // Not executable.
    write_text(libexec / "notes.txt", "a file left here by hand\n");
    auto r = run_package(dir / "out", {"--client", (dir / "base").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("libexec/notes.txt"));
    CHECK_THAT(r.err, Catch::Contains("is not an executable file"));
    // Executable, but a script: it cannot be checked against the programs' architecture.
    fs::remove(libexec / "notes.txt");
    write_text(libexec / "helper", "#!/bin/sh\n");
    fs::permissions(libexec / "helper", fs::perms::owner_all);
    r = run_package(dir / "out", {"--client", (dir / "base").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("is not an ELF program"));
    // Built for another processor than the programs.
    std::string elf(64, '\0');
    elf.replace(0, 4,
                "\x7f"
                "ELF");
    elf[4] = 2;                        // 64-bit
    elf[5] = 1;                        // little-endian
    elf[18] = static_cast<char>(183);  // EM_AARCH64
    if (trimmed(run_ok({"dpkg", "--print-architecture"})) == "arm64") elf[18] = 62;  // x86-64
    write_text(libexec / "helper", elf);
    r = run_package(dir / "out", {"--client", (dir / "base").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("libexec/helper is built for"));
    CHECK_THAT(r.err, Catch::Contains("rebuild the base"));
    CHECK(!fs::exists(dir / "out" / kDemoDeb));
}

TEST_CASE("a package whose program was tampered with is refused by inspect") {
    TempDir dir;
    run_ok({"tar", "--extract", "--file", (demo_packages() / kDemoTgz).string(), "--directory",
            dir.path().string()});
    const fs::path program = dir / "demo-support-1-0.1.0/bin/demo-support-cli";
    std::string bytes = read_text(program);
    bytes[bytes.size() - 200] ^= 0x01;  // inside the stamp's signed part
    write_text(program, bytes);
    run_ok({"tar", "--create", "--gzip", "--file", (dir / "tampered.tar.gz").string(),
            "--directory", dir.path().string(), "demo-support-1-0.1.0"});
    auto r = run({kBrandTool, "inspect", (dir / "tampered.tar.gz").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out,
               Catch::Contains("demo-support-1-0.1.0/bin/demo-support: branded, signature valid"));
    CHECK_THAT(r.err, Catch::Contains("demo-support-1-0.1.0/bin/demo-support-cli: REFUSED"));
}

TEST_CASE("Debian package names: Debian's rules, and never helpline-*") {
    using helpline::brand::check_package_name;
    CHECK(check_package_name("acme-support").ok());
    CHECK(check_package_name("a1").ok());
    CHECK(check_package_name("x.y+z").ok());
    CHECK(!check_package_name("a").ok());
    CHECK(!check_package_name("Acme").ok());
    CHECK(!check_package_name("-acme").ok());
    CHECK(!check_package_name("acme_support").ok());
    CHECK(!check_package_name("helpline").ok());
    CHECK(!check_package_name("helpline-acme").ok());
    CHECK_THAT(check_package_name("Acme").error().message,
               Catch::Contains("Change the profile's id"));
    CHECK(helpline::brand::check_base_version("0.1.0").ok());
    CHECK(!helpline::brand::check_base_version("0.1-0").ok());
    CHECK(!helpline::brand::check_base_version("v1").ok());
}

TEST_CASE("the AppStream id is the reverse of the team's domain and the profile id") {
    helpline::Profile p;
    p.id = "acme-support";
    p.support.email = "help@Mail.Acme.example";
    p.server.url = "https://support.acme.example:8443/helpline";
    CHECK(helpline::brand::appstream_component_id(p) == "example.acme.support.acme_support");
    p.server.url = "http://127.0.0.1:8080";
    CHECK(helpline::brand::appstream_component_id(p) == "example.acme.mail.acme_support");
    p.server.url = "http://localhost:8080";
    p.id = "3com";
    CHECK(helpline::brand::appstream_component_id(p) == "example.acme.mail._3com");
    p.server.url = "https://9lives.example";
    CHECK(helpline::brand::appstream_component_id(p) == "example._9lives._3com");
}

TEST_CASE("the architecture comes from the programs' ELF header") {
    auto arch = helpline::brand::debian_architecture(fs::path(kClientBase) / "bin/helpline");
    REQUIRE(arch.ok());
    CHECK(*arch == trimmed(run_ok({"dpkg", "--print-architecture"})));
    TempDir dir;
    std::string elf(64, '\0');
    elf.replace(0, 4,
                "\x7f"
                "ELF");
    elf[4] = 2;                        // 64-bit
    elf[5] = 1;                        // little-endian
    elf[18] = static_cast<char>(183);  // EM_AARCH64
    write_text(dir / "arm", elf);
    CHECK(*helpline::brand::debian_architecture(dir / "arm") == "arm64");
    elf[18] = 0x7e;  // a machine Debian has no port for
    write_text(dir / "odd", elf);
    CHECK(!helpline::brand::debian_architecture(dir / "odd").ok());
    write_text(dir / "text", "#!/bin/sh\n");
    CHECK_THAT(helpline::brand::debian_architecture(dir / "text").error().message,
               Catch::Contains("not an ELF"));
}
