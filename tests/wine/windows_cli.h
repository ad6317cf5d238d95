#pragma once
// helpline-cli.exe of the Windows build, stamped by helpline-brand with the demo profile as
// an admin would, laid out as the installer lays out the client (bin\ and libexec\), in a
// Windows user of its own (a Wine prefix copied from the template wine.prefix made).

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/fixtures.h"
#include "tests/support/wine.h"

namespace helpline::test {

class WindowsCli {
  public:
    /// `ca_pem`: the profile's own CA for the server (none: the Windows certificate store).
    explicit WindowsCli(const std::string& url, const std::string& ca_pem = {})
        : wine_(wine::WinePrefix::From::template_prefix) {
        auto profile =
            nlohmann::json::parse(read_text(source_path("branding/profiles/demo/profile.json")));
        profile["server"]["url"] = url;
        if (!ca_pem.empty()) profile["server"]["ca"] = ca_pem;
        fs::create_directories(dir_ / "profile");
        fs::create_directories(dir_ / "bin");
        write_text(dir_ / "profile" / "profile.json", profile.dump(2));
        fs::copy_file(source_path("branding/profiles/demo/logo.svg"), dir_ / "profile" / "logo.svg");
        auto r = run_program({HELPLINE_BRAND_BIN, "stamp", "--profile", (dir_ / "profile").string(),
                              "--key", fixture("keys/test-signing-key.pem").string(), "--client",
                              wine::windows_program("client/cli/helpline-cli.exe").string(),
                              "--out", exe().string()});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
    }

    /// Puts the Windows build's helpline-win-vnc.exe where the client looks for its
    /// backends first: `<exe>\..\libexec`.
    void install_backend() const {
        fs::create_directories(dir_ / "libexec");
        fs::copy_file(wine::windows_program("client/win_vnc/helpline-win-vnc.exe"),
                      dir_ / "libexec" / "helpline-win-vnc.exe",
                      fs::copy_options::overwrite_existing);
    }

    ProgramResult run(const std::vector<std::string>& args,
                      const std::vector<std::string>& extra_env = {}) const {
        return wine_.run(exe(), args, extra_env);
    }

    fs::path exe() const { return dir_ / "bin" / "demo-support-cli.exe"; }
    /// %LOCALAPPDATA%\demo-support: identity, outbox, requests.log, client.log.
    fs::path state() const { return wine_.local_app_data() / "demo-support"; }
    const TempDir& dir() const { return dir_; }
    const wine::WinePrefix& wine() const { return wine_; }

    std::size_t outbox_entries() const {
        std::size_t n = 0;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(state() / "outbox", ec))
            if (e.path().extension() == ".json" && e.path().filename().string().front() != '.') ++n;
        return n;
    }

  private:
    TempDir dir_;
    wine::WinePrefix wine_;
};

}  // namespace helpline::test
