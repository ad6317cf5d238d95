#pragma once
// A real helpline-server on 127.0.0.1 and a helpline-cli copy stamped with the demo profile
// pointing at it, run as a separate process with its own XDG folders.

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"
#include "tests/support/team_api.h"
#include "tests/support/test_client.h"

namespace helpline::test {

inline const std::string kServerBin = HELPLINE_SERVER_BIN;
inline const std::string kBrandBin = HELPLINE_BRAND_BIN;
inline const std::string kCliBin = HELPLINE_CLI_BIN;
inline const std::string kProfileId = "demo-support";

/// The demo profile with its server set to `url`.
inline nlohmann::json demo_profile(const std::string& url, std::int64_t revision = 1) {
    auto profile =
        nlohmann::json::parse(read_text(source_path("branding/profiles/demo/profile.json")));
    profile["server"]["url"] = url;
    profile["revision"] = revision;
    return profile;
}

/// Writes `profile` (and the demo logo) into `folder`, which is created.
inline fs::path write_profile(const fs::path& folder, const nlohmann::json& profile) {
    fs::create_directories(folder);
    write_text(folder / "profile.json", profile.dump(2));
    fs::copy_file(source_path("branding/profiles/demo/logo.svg"), folder / "logo.svg",
                  fs::copy_options::overwrite_existing);
    return folder;
}

/// `helpline-brand sign-profile` with `key`; returns the envelope's path.
inline fs::path sign_profile(const fs::path& profile_folder, const fs::path& key,
                             const fs::path& out) {
    auto r = run_program({kBrandBin, "sign-profile", "--profile", profile_folder.string(), "--key",
                          key.string(), "--out", out.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return out;
}

inline mode_t file_mode(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

/// A stamped helpline-cli and the XDG folders it runs with.
class StampedCli {
  public:
    /// Stamps a copy of helpline-cli with `profile`, signed with `key`.
    explicit StampedCli(const nlohmann::json& profile,
                        const fs::path& key = fixture("keys/test-signing-key.pem")) {
        restamp(profile, key);
    }

    void restamp(const nlohmann::json& profile,
                 const fs::path& key = fixture("keys/test-signing-key.pem")) {
        const auto folder = write_profile(dir_ / "profile", profile);
        auto r =
            run_program({kBrandBin, "stamp", "--profile", folder.string(), "--key", key.string(),
                         "--client", kCliBin, "--out", binary().string(), "--restamp"});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
    }

    /// The whole environment for running the stamped client on a terminal: its XDG folders,
    /// no proxy for loopback, the C locale, and an X display when one is given.
    std::vector<std::string> terminal_environment(const std::string& display = {}) const {
        std::vector<std::string> env = {"XDG_CONFIG_HOME=" + (dir_ / "config").string(),
                                        "XDG_STATE_HOME=" + (dir_ / "state").string(),
                                        "XDG_RUNTIME_DIR=" + (dir_ / "runtime").string(),
                                        "NO_PROXY=127.0.0.1,localhost",
                                        "no_proxy=127.0.0.1,localhost",
                                        "LC_ALL=C",
                                        "TERM=xterm",
                                        "PATH=/usr/local/bin:/usr/bin:/bin",
                                        "HOME=" + dir().string()};
        if (!display.empty()) {
            env.push_back("DISPLAY=" + display);
            env.push_back("XDG_SESSION_TYPE=x11");
        }
        return env;
    }

    /// Runs the stamped client with `args`, its XDG folders, and no proxy for loopback.
    ProgramResult run(const std::vector<std::string>& args, const std::string& input = {}) const {
        std::vector<std::string> argv = {"/usr/bin/env",
                                         "XDG_CONFIG_HOME=" + (dir_ / "config").string(),
                                         "XDG_STATE_HOME=" + (dir_ / "state").string(),
                                         "XDG_RUNTIME_DIR=" + (dir_ / "runtime").string(),
                                         "NO_PROXY=127.0.0.1,localhost",
                                         "no_proxy=127.0.0.1,localhost",
                                         binary().string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_program(argv, input, std::chrono::seconds(60));
    }

    fs::path binary() const { return dir_ / "demo-support-cli"; }
    /// $XDG_STATE_HOME/helpline/<profile id>: identity, outbox, requests.log, client.log.
    fs::path state() const { return dir_ / "state" / "helpline" / kProfileId; }
    fs::path outbox() const { return state() / "outbox"; }
    const fs::path& dir() const { return dir_.path(); }
    /// The base paths the client computes from its XDG variables (for in-process helpers).
    fs::path xdg(const std::string& which) const { return dir_ / which; }

    std::vector<fs::path> outbox_files() const {
        std::vector<fs::path> out;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(outbox(), ec))
            if (e.path().extension() == ".json" && e.path().filename().string().front() != '.')
                out.push_back(e.path());
        return out;
    }

    nlohmann::json status() const {
        auto r = run({"status", "--json"});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        return nlohmann::json::parse(r.out);
    }

  private:
    TempDir dir_;
};

/// The server's open tickets as an admin sees them (GET /api/v1/queue).
inline nlohmann::json queue_of(const ServerProcess& server) { return Team(server).queue(); }

}  // namespace helpline::test
