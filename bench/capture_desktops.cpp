#include "bench/capture_desktops.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bench/client_start_x11.h"
#include "client/core/spawn.h"

namespace helpline::bench {

namespace fs = std::filesystem;
using client::ChildProcess;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr const char* kScreenSize = "1280x800";

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The last lines of a program's output, for a failure message.
std::string tail(const fs::path& output) {
    const std::string text = read_file(output);
    return text.size() > 2000 ? "..." + text.substr(text.size() - 2000) : text;
}

template <typename Predicate>
bool wait_until(Predicate predicate, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!predicate()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

fs::path need_program(const std::string& name, const std::string& package) {
    auto found = client::find_executable(name);
    if (!found)
        throw std::runtime_error(name +
                                 " is not installed: apt-get install -y "
                                 "--no-install-recommends " +
                                 package);
    return *found;
}

std::unique_ptr<ChildProcess> spawn(const std::vector<std::string>& argv, const fs::path& output) {
    client::SpawnOptions options;
    options.executable = argv.front();
    options.argv = argv;
    options.output = output;
    auto process = ChildProcess::spawn(options);
    if (!process)
        throw std::runtime_error("could not start " + argv.front() + ": " +
                                 process.error().message);
    return std::move(*process);
}

/// Eight characters from [A-Za-z0-9], as the client's launcher makes them.
std::string one_time_password() {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device random;
    std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
    std::string password;
    for (int i = 0; i < 8; ++i) password.push_back(kAlphabet[pick(random)]);
    return password;
}

void write_password_file(const fs::path& path, const std::string& password) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + path.string());
    const std::string line = password + "\n";
    const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!written) throw std::runtime_error("cannot write " + path.string());
}

std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0;
    if (fd >= 0) ::close(fd);
    if (!ok) throw std::runtime_error("no free port on 127.0.0.1");
    return ntohs(address.sin_port);
}

/// Whether something listens on 127.0.0.1:`port` (/proc/net/tcp: state 0A). Read rather
/// than probed: a probing connection would be x11vnc's one viewer (-once).
bool listening(std::uint16_t port) {
    char wanted[32];
    std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
    std::istringstream lines(read_file("/proc/net/tcp"));
    std::string line;
    std::getline(lines, line);  // the header
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (local == wanted && state == "0A") return true;
    }
    return false;
}

/// Waits until `process` listens on `port`; throws with its output when it ends first.
void wait_listening(ChildProcess& process, std::uint16_t port, const std::string& name,
                    const fs::path& output) {
    const bool up = wait_until([&] { return listening(port) || process.exited(); }, 30s);
    if (!up || process.exited())
        throw std::runtime_error(name + " did not listen on 127.0.0.1:" + std::to_string(port) +
                                 (process.exited() ? " (it exited)" : " within 30 s") + ":\n" +
                                 tail(output));
}

/// The processes of group `group` named `comm` (the kernel's 15-character name).
std::vector<pid_t> group_processes(pid_t group, const std::string& comm) {
    std::vector<pid_t> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        const std::string stat = read_file(entry.path() / "stat");
        const auto open = stat.find('('), close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        std::istringstream fields(stat.substr(close + 2));
        std::string state;
        pid_t parent = 0, pgrp = 0;
        fields >> state >> parent >> pgrp;
        if (pgrp == group && state != "Z" && stat.substr(open + 1, close - open - 1) == comm)
            found.push_back(std::stoi(name));
    }
    return found;
}

}  // namespace

void CaptureDesktop::set_animating(bool on) {
    if (on == animating_) return;
    animating_ = on;
    ::kill(animation_pid_, SIGUSR2);
}

int CaptureDesktop::switch_marker() {
    ::kill(animation_pid_, SIGUSR1);
    return ++marker_switches_;
}

std::map<int, std::int64_t> CaptureDesktop::marker_times() const {
    std::map<int, std::int64_t> times;
    std::istringstream lines(read_file(animation_output_));
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string word;
        int number = 0, r = 0, g = 0, b = 0;
        std::int64_t ns = 0;
        if (fields >> word >> number >> r >> g >> b >> ns && word == "marker") times[number] = ns;
    }
    return times;
}

std::vector<DrawnFrames> CaptureDesktop::drawn_frames() const {
    std::vector<DrawnFrames> reports;
    std::istringstream lines(read_file(animation_output_));
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string word;
        DrawnFrames report;
        if (fields >> word >> report.frames >> report.at_ns && word == "frames")
            reports.push_back(report);
    }
    return reports;
}

namespace {

/// Starts animated_window with `environment` ("NAME=value" each) and waits for "ready".
std::unique_ptr<ChildProcess> start_animation(const CapturePrograms& programs,
                                              const std::vector<std::string>& environment,
                                              const fs::path& output) {
    std::vector<std::string> argv = {"/usr/bin/env", "-u", "DISPLAY", "-u", "WAYLAND_DISPLAY"};
    argv.insert(argv.end(), environment.begin(), environment.end());
    argv.push_back(programs.animated_window.string());
    if (!programs.area.empty()) {
        argv.push_back("--area");
        argv.push_back(programs.area);
    }
    auto process = spawn(argv, output);
    const auto ready = [&] {
        const std::string text = read_file(output);
        return text.rfind("ready\n", 0) == 0 || text.find("\nready\n") != std::string::npos;
    };
    if (!wait_until([&] { return ready() || process->exited(); }, 30s) || !ready())
        throw std::runtime_error("animated_window did not show its window within 30 s:\n" +
                                 tail(output));
    return process;
}

class X11vncDesktop final : public CaptureDesktop {
  public:
    X11vncDesktop(const CapturePrograms& programs, const fs::path& folder) {
        const fs::path x11vnc = need_program("x11vnc", "x11vnc");
        need_program("Xvfb", "xvfb");
        xvfb_ = std::make_unique<PrivateXvfb>();
        port_ = free_loopback_port();
        password_ = one_time_password();
        const fs::path password_file = folder / "x11vnc.password";
        write_password_file(password_file, password_);
        // The demo profile's argv for x11vnc.
        const fs::path output = folder / "x11vnc.log";
        backend_ = spawn({x11vnc.string(), "-display", xvfb_->display(), "-localhost", "-rfbport",
                          std::to_string(port_), "-passwdfile", "rm:" + password_file.string(),
                          "-once", "-quiet"},
                         output);
        wait_listening(*backend_, port_, "x11vnc", output);
        animation_output_ = folder / "x11-animation.log";
        animation_ = start_animation(programs, {"DISPLAY=" + xvfb_->display(), "GDK_BACKEND=x11"},
                                     animation_output_);
        animation_pid_ = animation_->pid();
    }
    ~X11vncDesktop() override {
        if (animation_) animation_->stop(2s);
        if (backend_) backend_->stop(2s);
    }

    std::string label() const override { return "x11vnc on Xvfb"; }
    std::vector<std::pair<std::string, pid_t>> processes() const override {
        return {{"x11vnc", backend_->pid()},
                {"Xvfb", xvfb_->pid()},
                {"animated_window", animation_->pid()}};
    }

  private:
    std::unique_ptr<PrivateXvfb> xvfb_;
    std::unique_ptr<ChildProcess> backend_;
    std::unique_ptr<ChildProcess> animation_;
};

class PortalDesktop final : public CaptureDesktop {
  public:
    PortalDesktop(const CapturePrograms& programs, const fs::path& folder) : folder_(folder) {
        if (!fs::exists(programs.portal_vnc))
            throw std::runtime_error(programs.portal_vnc.string() + " is not built");
        start_desktop(programs);

        port_ = free_loopback_port();
        password_ = one_time_password();
        const fs::path password_file = folder / "portal.password";
        write_password_file(password_file, password_);
        // The demo profile's argv for helpline-portal-vnc, in the desktop's session.
        std::vector<std::string> argv = {programs.portal_vnc.string(), "--port",
                                         std::to_string(port_), "--password-file",
                                         password_file.string()};
        argv.insert(argv.end(), programs.portal_extra.begin(), programs.portal_extra.end());
        const fs::path output = folder / "portal-vnc.log";
        backend_ = spawn(in_session(argv), output);

        // The customer's "Share" on the desktop's dialog.
        const fs::path answer_log = folder / "answer-portal.log";
        auto answer = spawn(
            in_session({"/usr/bin/python3", (programs.support_dir / "mutter_desktop.py").string(),
                        "answer-portal", "share"}),
            answer_log);
        const bool answered = wait_until([&] { return answer->exited(); }, 60s);
        const int status = answered ? answer->exit_status().value_or(-1) : -1;
        answer->stop(1s);
        if (status != 0)
            throw std::runtime_error("the portal's dialog was not answered:\n" + tail(answer_log) +
                                     "\nhelpline-portal-vnc said:\n" + tail(output));
        wait_listening(*backend_, port_, "helpline-portal-vnc", output);

        animation_output_ = folder / "wayland-animation.log";
        animation_ =
            start_animation(programs, with_session({"GDK_BACKEND=wayland"}), animation_output_);
        animation_pid_ = animation_->pid();
        const auto mutter = group_processes(desktop_.pid(), "mutter");
        const auto pipewire = group_processes(desktop_.pid(), "pipewire");
        if (mutter.size() != 1 || pipewire.size() != 1)
            throw std::runtime_error("the headless desktop has no single mutter and pipewire");
        mutter_pid_ = mutter.front();
        pipewire_pid_ = pipewire.front();
    }
    ~PortalDesktop() override {
        if (animation_) animation_->stop(2s);
        if (backend_) backend_->stop(5s);
    }

    std::string label() const override { return "helpline-portal-vnc on mutter"; }
    std::vector<std::pair<std::string, pid_t>> processes() const override {
        return {{"helpline-portal-vnc", backend_->pid()},
                {"mutter", mutter_pid_},
                {"pipewire", pipewire_pid_},
                {"animated_window", animation_->pid()}};
    }

  private:
    void start_desktop(const CapturePrograms& programs) {
        const fs::path env_file = folder_ / "desktop.env";
        const fs::path log = folder_ / "headless_gnome.log";
        desktop_.process =
            spawn({"/bin/bash", (programs.support_dir / "headless_gnome.sh").string(),
                   env_file.string(), kScreenSize},
                  log);
        if (!wait_until([&] { return fs::exists(env_file) || desktop_.process->exited(); }, 90s) ||
            !fs::exists(env_file))
            throw std::runtime_error("the headless GNOME desktop did not start:\n" + tail(log));
        std::istringstream lines(read_file(env_file));
        for (std::string line; std::getline(lines, line);)
            if (line.find('=') != std::string::npos) session_.push_back(line);
    }

    std::vector<std::string> with_session(std::vector<std::string> extra) const {
        std::vector<std::string> all = session_;
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    }

    /// `argv` run by env in the desktop's session (no DISPLAY: GTK must not find an X server).
    std::vector<std::string> in_session(const std::vector<std::string>& argv) const {
        std::vector<std::string> out = {"/usr/bin/env", "-u", "DISPLAY"};
        out.insert(out.end(), session_.begin(), session_.end());
        out.insert(out.end(), argv.begin(), argv.end());
        return out;
    }

    /// headless_gnome.sh, stopped its own way: the script stops its components and removes
    /// its folder on SIGTERM; then whatever is left of its group goes.
    struct Session {
        std::unique_ptr<ChildProcess> process;
        pid_t pid() const { return process->pid(); }
        ~Session() {
            if (!process) return;
            ::kill(process->pid(), SIGTERM);
            wait_until([&] { return process->exited(); }, 10s);
            process->stop(1s);
        }
    };

    fs::path folder_;
    std::vector<std::string> session_;
    Session desktop_;
    std::unique_ptr<ChildProcess> backend_;
    std::unique_ptr<ChildProcess> animation_;
    pid_t mutter_pid_ = -1;
    pid_t pipewire_pid_ = -1;
};

}  // namespace

std::unique_ptr<CaptureDesktop> start_x11vnc_desktop(const CapturePrograms& programs,
                                                     const fs::path& folder) {
    return std::make_unique<X11vncDesktop>(programs, folder);
}

std::unique_ptr<CaptureDesktop> start_portal_desktop(const CapturePrograms& programs,
                                                     const fs::path& folder) {
    return std::make_unique<PortalDesktop>(programs, folder);
}

}  // namespace helpline::bench
