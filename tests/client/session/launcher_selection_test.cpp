// Which of the profile's backends a client starts, on Linux and on Windows: pure functions,
// so this file runs in the Windows tests under Wine too (tests/windows).

#include <catch2/catch.hpp>
#include <fstream>

#include "client/core/launcher_selection.h"
#include "tests/support/fixtures.h"

using namespace helpline;
using namespace helpline::client;
using helpline::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::vector<ProfileBackend> kDemoBackends = {
    {"x11vnc", "x11", {"x11vnc", "-rfbport", "{port}"}},
    {"portal", "wayland", {"helpline-portal-vnc", "--port", "{port}"}},
    {"windows", "windows", {"helpline-win-vnc", "--port", "{port}"}},
};

/// An installed program named `name` in `dir` (".exe" added on Windows).
void install(const fs::path& dir, const std::string& name) {
#ifdef _WIN32
    const fs::path file = dir / (name + ".exe");
#else
    const fs::path file = dir / name;
#endif
    std::ofstream(file) << "#!/bin/sh\n";
    fs::permissions(file, fs::perms::owner_all);
}

}  // namespace

TEST_CASE("On Windows only the backends for windows match, not those for any Linux session") {
    const ProfileBackend any{"x11vnc", "any", {"x11vnc"}};
    const ProfileBackend windows{"windows", "windows", {"helpline-win-vnc"}};
    CHECK_FALSE(backend_matches(any, SessionType::windows));
    CHECK(backend_matches(windows, SessionType::windows));
    for (const auto linux_session : {SessionType::x11, SessionType::wayland, SessionType::none}) {
        CHECK(backend_matches(any, linux_session));
        CHECK_FALSE(backend_matches(windows, linux_session));
    }
}

TEST_CASE("A Windows session starts the profile's helpline-win-vnc from the client's folders") {
    TempDir dir;
    install(dir.path(), "helpline-win-vnc");
    install(dir.path(), "x11vnc");
    auto chosen = choose_backends(kDemoBackends, SessionType::windows, "", {dir.path()});
    REQUIRE(chosen);
    REQUIRE(chosen->size() == 1);
    CHECK(chosen->front().backend->id == "windows");
    CHECK(chosen->front().executable.parent_path() == dir.path());
}

TEST_CASE("A profile made before Windows clients says so on Windows instead of naming x11vnc") {
    TempDir dir;
    install(dir.path(), "x11vnc");
    const std::vector<ProfileBackend> older = {{"x11vnc", "any", {"x11vnc", "-rfbport", "{port}"}}};
    auto chosen = choose_backends(older, SessionType::windows, "", {dir.path()});
    REQUIRE_FALSE(chosen);
    CHECK(chosen.error().code == launch_error::kNoBackend);
    CHECK_THAT(chosen.error().message, Catch::Contains("names no screen-sharing program for Windows"));
    CHECK_THAT(chosen.error().message, !Catch::Contains("apt"));
}
