// Stamping a Windows program, then signing it with the admin's code-signing certificate
// (docs/branding.md "Windows programs: stamp, then sign"): a real PE built by mingw-w64,
// stamped by helpline-brand, signed and verified by osslsigncode (Debian's packages).

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "shared/pe_image.h"
#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"

using helpline::test::ProgramResult;
using helpline::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kBrandTool = HELPLINE_BRAND_BIN;
const std::string kDemo = helpline::test::source_path("branding/profiles/demo").string();
const std::string kKey = helpline::test::fixture("keys/test-signing-key.pem").string();

ProgramResult run(std::vector<std::string> argv) {
    argv.insert(argv.begin(), "/usr/bin/env");
    return helpline::test::run_program(argv, {}, std::chrono::minutes(2));
}

std::string run_ok(const std::vector<std::string>& argv) {
    auto r = run(argv);
    INFO("command: " << argv.front() << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out + r.err;
}

helpline::Bytes read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A small Windows console program, a code-signing certificate and its key, in `dir`.
struct WindowsProgram {
    fs::path exe, cert, key;

    explicit WindowsProgram(const fs::path& dir)
        : exe(dir / "helpline.exe"), cert(dir / "codesign.crt"), key(dir / "codesign.key") {
        helpline::test::write_text(dir / "main.c",
                                   "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
        run_ok({"x86_64-w64-mingw32-gcc-posix", "-O2", "-s", (dir / "main.c").string(), "-o",
                exe.string()});
        run_ok({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                "/CN=Contoso Code Signing", "-addext", "extendedKeyUsage=codeSigning", "-addext",
                "keyUsage=digitalSignature", "-keyout", key.string(), "-out", cert.string()});
    }

    ProgramResult sign(const fs::path& in, const fs::path& out) const {
        return run({"osslsigncode", "sign", "-certs", cert.string(), "-key", key.string(), "-n",
                    "Contoso Help", "-h", "sha256", "-in", in.string(), "-out", out.string()});
    }
    ProgramResult verify(const fs::path& file) const {
        return run({"osslsigncode", "verify", "-CAfile", cert.string(), "-in", file.string()});
    }
};

ProgramResult stamp(const fs::path& base, const fs::path& out, bool restamp = false) {
    std::vector<std::string> argv{kBrandTool, "stamp",  "--profile", kDemo, "--key", kKey,
                                  "--client", base.string(), "--out", out.string()};
    if (restamp) argv.push_back("--restamp");
    return run(argv);
}

nlohmann::json inspect_json(const fs::path& file) {
    return nlohmann::json::parse(run({kBrandTool, "inspect", file.string(), "--json"}).out);
}

}  // namespace

TEST_CASE("A stamped Windows program signed afterwards keeps a stamp that verifies") {
    TempDir dir;
    const WindowsProgram program(dir.path());
    const fs::path stamped = dir / "demo-support.exe", signed_exe = dir / "demo-support-signed.exe";
    REQUIRE(stamp(program.exe, stamped).exit_code == 0);
    auto before = inspect_json(stamped);
    CHECK(before["valid"] == true);
    CHECK(before["authenticode_signed"] == false);

    const auto signing = program.sign(stamped, signed_exe);
    INFO(signing.out << signing.err);
    REQUIRE(signing.exit_code == 0);
    CHECK(program.verify(signed_exe).exit_code == 0);
    // The signature went after the stamp: the file no longer ends with the stamp's footer.
    const auto bytes = read_bytes(signed_exe);
    const auto table = helpline::pe_certificate_table(bytes);
    REQUIRE(table);
    CHECK(std::uint64_t{table->offset} + table->size == bytes.size());
    CHECK(table->offset >= fs::file_size(stamped));

    auto after = inspect_json(signed_exe);
    CHECK(after["valid"] == true);
    CHECK(after["authenticode_signed"] == true);
    CHECK(after["profile"]["id"] == "demo-support");
    const auto text = run_ok({kBrandTool, "inspect", signed_exe.string()});
    CHECK_THAT(text, Catch::Contains("branded, signature valid"));
    CHECK_THAT(text, Catch::Contains("Authenticode-signed"));
}

TEST_CASE("A byte of a signed Windows program's stamp flipped fails both signatures") {
    TempDir dir;
    const WindowsProgram program(dir.path());
    const fs::path stamped = dir / "stamped.exe", signed_exe = dir / "signed.exe";
    REQUIRE(stamp(program.exe, stamped).exit_code == 0);
    REQUIRE(program.sign(stamped, signed_exe).exit_code == 0);
    const auto base_size = fs::file_size(program.exe);
    {   // a byte of the profile JSON, right after the program's own bytes
        std::fstream f(signed_exe, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(static_cast<std::streamoff>(base_size + 10));
        const char c = static_cast<char>(f.get());
        f.seekp(static_cast<std::streamoff>(base_size + 10));
        f.put(static_cast<char>(c ^ 0x01));
    }
    const auto inspected = run({kBrandTool, "inspect", signed_exe.string()});
    CHECK(inspected.exit_code == 1);
    CHECK_THAT(inspected.err, Catch::Contains("signature does not match"));
    CHECK(program.verify(signed_exe).exit_code != 0);
}

TEST_CASE("Restamping a signed Windows program removes its signature and says to sign again") {
    TempDir dir;
    const WindowsProgram program(dir.path());
    const fs::path stamped = dir / "stamped.exe", signed_exe = dir / "signed.exe",
                   restamped = dir / "restamped.exe";
    REQUIRE(stamp(program.exe, stamped).exit_code == 0);
    REQUIRE(program.sign(stamped, signed_exe).exit_code == 0);

    // Without --restamp it is refused as already branded; with it, the signature goes.
    CHECK(stamp(signed_exe, restamped).exit_code == 1);
    const auto r = stamp(signed_exe, restamped, /*restamp=*/true);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Authenticode signature was removed"));
    const auto bytes = read_bytes(restamped);
    const auto table = helpline::pe_certificate_table(bytes);
    REQUIRE(table);
    CHECK(table->offset == 0);
    CHECK(table->size == 0);
    CHECK(bytes.size() == fs::file_size(stamped));
    CHECK(inspect_json(restamped)["valid"] == true);
    CHECK(program.verify(restamped).exit_code != 0);  // unsigned now
    // ... and it can be signed again.
    REQUIRE(program.sign(restamped, dir / "resigned.exe").exit_code == 0);
    CHECK(program.verify(dir / "resigned.exe").exit_code == 0);
    CHECK(inspect_json(dir / "resigned.exe")["valid"] == true);
}

TEST_CASE("A signed Windows program that was never stamped is stamped without its signature") {
    TempDir dir;
    const WindowsProgram program(dir.path());
    REQUIRE(program.sign(program.exe, dir / "base-signed.exe").exit_code == 0);
    CHECK(inspect_json(dir / "base-signed.exe")["error"]["code"] == "stamp.none");
    const auto r = stamp(dir / "base-signed.exe", dir / "branded.exe");
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("signature was removed"));
    const auto table = helpline::pe_certificate_table(read_bytes(dir / "branded.exe"));
    REQUIRE(table);
    CHECK(table->offset == 0);
    CHECK(inspect_json(dir / "branded.exe")["valid"] == true);
}
