#pragma once
// Shared by the tests of `helpline-brand package --format nsis`: a Windows client base made
// of a tiny console program built here by mingw-w64 (standing for helpline.exe,
// helpline-cli.exe and a backend) and the Linux build's translations, and a private Wine
// prefix to install the installer into.

#include <fstream>

#include "shared/bytes.h"
#include "tests/branding/package_fixture.h"
#include "tests/support/wine.h"

namespace helpline::test::nsis {

using namespace helpline::test::brand_package;

/// What the fake programs print: the installed program ran.
inline const std::string kFakeOutput = "fake helpline client for Windows";
inline const std::string kDemoSetup = "demo-support-1-0.1.0-setup.exe";

/// The tiny Windows program, built once per test process.
inline const fs::path& fake_windows_program() {
    static TempDir dir;
    static const fs::path exe = [] {
        write_text(dir / "fake.c", "#include <stdio.h>\nint main(void) { puts(\"" + kFakeOutput +
                                       "\"); return 0; }\n");
        run_ok({"x86_64-w64-mingw32-gcc-posix", "-O2", "-s", (dir / "fake.c").string(), "-o",
                (dir / "fake.exe").string()});
        return dir / "fake.exe";
    }();
    return exe;
}

/// A Windows client base in `dir`: bin/helpline.exe, bin/helpline-cli.exe, one backend
/// (libexec/helpline-vnc.exe), the Linux build's translations and a version file.
inline fs::path make_windows_base(const fs::path& dir, const std::string& version = "0.1.0") {
    fs::create_directories(dir / "bin");
    fs::create_directories(dir / "libexec");
    for (const auto& path : {dir / "bin" / "helpline.exe", dir / "bin" / "helpline-cli.exe",
                             dir / "libexec" / "helpline-vnc.exe"})
        fs::copy_file(fake_windows_program(), path, fs::copy_options::overwrite_existing);
    fs::copy(fs::path(kClientBase) / "share", dir / "share", fs::copy_options::recursive);
    write_text(dir / "version", version + "\n");
    return dir;
}

/// helpline-brand package --format nsis with the demo profile (or `profile`) and the test key.
inline ProgramResult run_nsis_package(const fs::path& base, const fs::path& out,
                                      const std::vector<std::string>& env = {},
                                      const std::string& profile = kDemoProfile) {
    return run({kBrandTool, "package", "--profile", profile, "--key", kKey, "--client",
                base.string(), "--format", "nsis", "--out", out.string()},
               env);
}

inline Bytes read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The COFF machine of a PE file (0x8664: x86-64), or 0 when it is not one.
inline unsigned pe_machine(const Bytes& file) {
    if (file.size() < 64 || file[0] != 'M' || file[1] != 'Z') return 0;
    const std::size_t pe = read_u32le(file.data() + 0x3C);
    if (pe + 6 > file.size() || file[pe] != 'P' || file[pe + 1] != 'E' || file[pe + 2] != 0 ||
        file[pe + 3] != 0)
        return 0;
    return read_u16le(file.data() + pe + 4);
}

using wine::WinePrefix;

}  // namespace helpline::test::nsis
