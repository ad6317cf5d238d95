#include "tests/client/vnc_auth/headless_sway.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/fixtures.h"

namespace helpline::test {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

HeadlessSway::HeadlessSway(const fs::path& folder, const std::string& background)
    : folder_(folder), runtime_dir_(folder / "run") {
    as_root_ = ::geteuid() == 0;
    uid_ = ::geteuid();
    gid_ = ::getegid();
    if (as_root_) {
        const passwd* nobody = ::getpwnam("nobody");
        REQUIRE(nobody != nullptr);
        uid_ = nobody->pw_uid;
        gid_ = nobody->pw_gid;
    }
    // The desktop's user must reach the folder (not list it) and own its runtime folder.
    fs::create_directories(runtime_dir_);
    fs::permissions(folder_, fs::perms::owner_all | fs::perms::others_exec | fs::perms::group_exec);
    fs::permissions(runtime_dir_, fs::perms::owner_all, fs::perm_options::replace);
    give(runtime_dir_);
    const fs::path config = folder_ / "sway.conf";
    write_text(config,
               "output HEADLESS-1 resolution 1280x800\n"
               "output * bg " +
                   background + " solid_color\n");
    fs::permissions(config, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                fs::perms::others_read);

    std::vector<std::string> argv = as_user({"sway", "-c", config.string()});
    // sway's own variables: the headless backend, no libinput devices to find.
    argv.insert(argv.end() - 3, {"WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1"});
    client::SpawnOptions spawn;
    spawn.executable = argv.front();
    spawn.argv = argv;
    spawn.output = folder_ / "sway.log";
    const auto started = Clock::now();
    auto process = client::ChildProcess::spawn(spawn);
    REQUIRE(process.ok());
    process_ = std::move(*process);

    // Its Wayland socket first (named by sway: wayland-0, wayland-1, ...), then its output.
    const bool socket = wait_for(
        [&] {
            if (process_->exited()) return true;
            for (const auto& entry : fs::directory_iterator(runtime_dir_)) {
                const std::string name = entry.path().filename().string();
                if (name.rfind("wayland-", 0) == 0 && entry.path().extension() != ".lock")
                    wayland_display_ = name;
                if (name.rfind("sway-ipc.", 0) == 0) sway_socket_ = entry.path().string();
            }
            return !wayland_display_.empty() && !sway_socket_.empty();
        },
        10s, 2ms);
    if (!socket || process_->exited()) return;
    ready_ = wait_for(
        [&] {
            return !process_->exited() &&
                   run({"swaymsg", "-t", "get_outputs"}).find("HEADLESS-1") != std::string::npos;
        },
        10s, 5ms);
    start_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
}

HeadlessSway::~HeadlessSway() {
    if (process_) process_->stop(1s);  // the group: sway and the swaybg it started
}

std::string HeadlessSway::log() const {
    return read_text(folder_ / "sway.log");
}

std::vector<std::string> HeadlessSway::as_user(const std::vector<std::string>& argv) const {
    std::vector<std::string> out;
    if (as_root_)
        out = {"/usr/bin/setpriv", "--reuid=" + std::to_string(uid_),
               "--regid=" + std::to_string(gid_), "--clear-groups", "--"};
    const std::string runtime = runtime_dir_.string();
    out.insert(out.end(), {"/usr/bin/env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin",
                           "HOME=" + runtime, "XDG_RUNTIME_DIR=" + runtime});
    if (!wayland_display_.empty()) out.push_back("WAYLAND_DISPLAY=" + wayland_display_);
    if (!sway_socket_.empty()) out.push_back("SWAYSOCK=" + sway_socket_);
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

void HeadlessSway::give(const fs::path& path) const {
    if (as_root_) REQUIRE(::chown(path.c_str(), uid_, gid_) == 0);
}

std::string HeadlessSway::run(const std::vector<std::string>& argv,
                              std::chrono::milliseconds timeout) const {
    const fs::path output = folder_ / "run.out";
    client::SpawnOptions spawn;
    spawn.argv = as_user(argv);
    spawn.executable = spawn.argv.front();
    spawn.output = output;
    auto process = client::ChildProcess::spawn(spawn);
    if (!process) return {};
    wait_for([&] { return (*process)->exited(); }, timeout, 2ms);
    (*process)->stop(100ms);
    return read_text(output);
}

}  // namespace helpline::test
