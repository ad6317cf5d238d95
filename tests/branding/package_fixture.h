#pragma once
// Shared by the tests of `helpline-brand package`: running the real helpline-brand and
// Debian's tools, and the demo brand's packages built once per test process.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"

namespace helpline::test::brand_package {

namespace fs = std::filesystem;

inline const std::string kBrandTool = HELPLINE_BRAND_BIN;
inline const std::string kClientBase = HELPLINE_CLIENT_BASE_DIR;
inline const std::string kDemoProfile = source_path("branding/profiles/demo").string();
inline const std::string kKey = fixture("keys/test-signing-key.pem").string();
inline const std::string kDemoDeb = "demo-support_1-0.1.0_amd64.deb";
inline const std::string kDemoTgz = "demo-support-1-0.1.0.tar.gz";

/// The backends this build ships in the client base's libexec/ ("helpline-portal-vnc",
/// "helpline-vnc-auth"; the first only with HELPLINE_BUILD_PORTAL_VNC), sorted.
inline const std::vector<std::string> kBackends = [] {
    std::vector<std::string> names;
    std::string list = HELPLINE_CLIENT_BACKENDS;
    for (std::size_t start = 0; start < list.size();) {
        std::size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        names.push_back(list.substr(start, end - start));
        start = end + 1;
    }
    std::sort(names.begin(), names.end());
    return names;
}();

inline bool ships_backend(const std::string& name) {
    return std::find(kBackends.begin(), kBackends.end(), name) != kBackends.end();
}

/// Runs `argv` through env(1): `env` are NAME=value settings added to this process's
/// environment, and argv[0] is looked up in PATH.
inline ProgramResult run(std::vector<std::string> argv, const std::vector<std::string>& env = {}) {
    argv.insert(argv.begin(), env.begin(), env.end());
    argv.insert(argv.begin(), "/usr/bin/env");
    return run_program(argv, {}, std::chrono::minutes(4));
}

/// Runs a command that must succeed; its stdout.
inline std::string run_ok(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {}) {
    auto r = run(argv, env);
    INFO("command: " << argv.front() << (argv.size() > 1 ? " " + argv[1] : "") << "\nstdout:\n"
                     << r.out << "\nstderr:\n"
                     << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

/// helpline-brand package with the demo profile, the test key and the build's client base
/// (unless `extra` names another).
inline ProgramResult run_package(const fs::path& out, std::vector<std::string> extra = {},
                                 const std::vector<std::string>& env = {},
                                 const std::string& profile = kDemoProfile) {
    std::vector<std::string> argv{kBrandTool, "package", "--profile", profile,
                                  "--key",    kKey,      "--out",     out.string()};
    if (std::find(extra.begin(), extra.end(), "--client") == extra.end()) {
        argv.push_back("--client");
        argv.push_back(kClientBase);
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv, env);
}

/// The demo brand's .deb and .tar.gz, built once per test process.
inline const fs::path& demo_packages() {
    static TempDir dir;
    static bool built = false;
    if (!built) {
        auto r = run_package(dir / "out");
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        built = true;
    }
    static const fs::path out = dir / "out";
    return out;
}

/// `text` without the line breaks and spaces at its end.
inline std::string trimmed(std::string text) {
    text.erase(text.find_last_not_of(" \n") + 1);
    return text;
}

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

/// One entry of `dpkg-deb --contents` or `tar tv`: "-rwxr-xr-x root/root 123 2025-01-01 00:00
/// ./path[ -> target]".
struct Listed {
    std::string mode;
    std::string owner;
    std::string date;
    std::string path;    ///< without a leading "./"
    std::string target;  ///< symlinks
};

inline std::map<std::string, Listed> parse_listing(const std::string& text) {
    std::map<std::string, Listed> entries;
    for (const auto& line : lines_of(text)) {
        std::istringstream in(line);
        Listed e;
        std::string size, day, time, rest;
        in >> e.mode >> e.owner >> size >> day >> time;
        std::getline(in >> std::ws, rest);
        e.date = day + " " + time;
        if (const auto arrow = rest.find(" -> "); arrow != std::string::npos) {
            e.target = rest.substr(arrow + 4);
            rest = rest.substr(0, arrow);
        }
        if (rest.starts_with("./")) rest.erase(0, 2);
        e.path = rest;
        entries[rest] = e;
    }
    return entries;
}

/// The paths of a .deb that are not folders.
inline std::set<std::string> deb_files(const fs::path& deb) {
    std::set<std::string> files;
    for (const auto& [path, e] : parse_listing(run_ok({"dpkg-deb", "--contents", deb.string()})))
        if (e.mode.front() != 'd') files.insert(path);
    return files;
}

}  // namespace helpline::test::brand_package
