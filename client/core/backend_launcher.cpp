#include "client/core/backend_launcher.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "client/core/backend_exit.h"
#include "client/core/backend_launcher_platform.h"
#include "client/core/launcher_selection.h"
#include "client/core/net_socket.h"
#include "client/core/spawn.h"

namespace helpline::client {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPasswordLength = 8;  // VNC authentication uses 8 characters at most
constexpr std::string_view kPasswordAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A 127.0.0.1 port the system considered free a moment ago.
Result<std::uint16_t> free_loopback_port() {
    auto port = net::free_loopback_port();
    if (!port)
        return make_error(launch_error::kSpawn,
                          fmt::format("Could not find a free local port for screen sharing: {}.",
                                      port.error().message));
    return *port;
}

/// Eight characters from [A-Za-z0-9], uniformly: bytes past the largest multiple of 62
/// are drawn again rather than folded (no modulo bias).
Result<std::string> generate_password() {
    std::string password;
    constexpr unsigned kLimit = 256 - 256 % kPasswordAlphabet.size();
    while (password.size() < kPasswordLength) {
        unsigned char bytes[16];
        if (RAND_bytes(bytes, sizeof bytes) != 1)
            return make_error(launch_error::kSpawn,
                              "The system's random number generator failed; no password was made.");
        for (unsigned char b : bytes) {
            if (b >= kLimit || password.size() == kPasswordLength) continue;
            password.push_back(kPasswordAlphabet[b % kPasswordAlphabet.size()]);
        }
    }
    return password;
}

Status ensure_runtime_dir(const fs::path& dir) {
    if (dir.empty())
        return make_error(launch_error::kSpawn,
                          "No runtime folder was given for the one-time password file.");
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        fs::create_directories(dir, ec);
        if (!ec) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
        if (ec)
            return make_error(launch_error::kSpawn,
                              fmt::format("Could not create the runtime folder '{}': {}.",
                                          dir.string(), ec.message()),
                              dir.string());
    }
    return Ok{};
}

/// The last few lines the backend printed, for an error message.
std::string output_tail(const fs::path& log) {
    std::ifstream in(log, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    constexpr std::size_t kMax = 400;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (text.size() > kMax) text = "…" + text.substr(text.size() - kMax);
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    return text;
}

class LaunchedBackend final : public RunningBackend {
  public:
    LaunchedBackend(std::unique_ptr<ChildProcess> child, std::uint16_t port, std::string password,
                    fs::path file)
        : child_(std::move(child)),
          port_(port),
          password_(std::move(password)),
          password_file_(std::move(file)) {}
    ~LaunchedBackend() override { stop(std::chrono::milliseconds(1000)); }

    std::uint16_t port() const override { return port_; }
    const std::string& password() const override { return password_; }
    int pid() const override { return child_->pid(); }
    bool running() override { return !child_->exited(); }
    void stop(std::chrono::milliseconds grace) override {
        child_->stop(grace);
        std::error_code ec;
        fs::remove(password_file_, ec);  // x11vnc removed it on reading; others may not
    }

  private:
    std::unique_ptr<ChildProcess> child_;
    std::uint16_t port_;
    std::string password_;
    fs::path password_file_;
};

/// Waits until the backend accepts connections on `port`; fails at once if it exits, with
/// the code its exit status means (backend_exit.h), or when the launch is cancelled.
Status wait_ready(ChildProcess& child, std::uint16_t port, const std::string& name,
                  const fs::path& log, const LaunchOptions& options) {
    const auto deadline = std::chrono::steady_clock::now() + options.ready_timeout;
    auto pause = std::chrono::milliseconds(1);
    while (true) {
        if (child.exited()) {
            const int status = child.exit_status().value_or(-1);
            const std::string said = output_tail(log);
            if (status == backend_exit::kDeclinedOnDesktop)
                return make_error(launch_error::kDeclinedOnDesktop,
                                  "You cancelled your desktop's screen sharing dialog, so the "
                                  "operator was told that you declined.");
            return make_error(
                status == backend_exit::kUnavailable ? launch_error::kUnavailable
                                                     : launch_error::kNotReady,
                fmt::format("The screen-sharing program '{}' stopped before it was ready (exit "
                            "status {}).{}",
                            name, status, said.empty() ? "" : " It said: " + said));
        }
        if (net::loopback_accepts(port)) return Ok{};
        if (options.cancelled && options.cancelled())
            return make_error(launch_error::kCancelled,
                              "Screen sharing was stopped before it started.");
        if (std::chrono::steady_clock::now() >= deadline)
            return make_error(
                launch_error::kNotReady,
                fmt::format(
                    "The screen-sharing program '{}' did not start listening on port {} within "
                    "{} ms. Its output is in '{}'.",
                    name, port, options.ready_timeout.count(), log.string()));
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
}

/// Starts one backend and waits until it listens.
Result<std::unique_ptr<RunningBackend>> launch_one(const ChosenBackend& chosen,
                                                   const LaunchOptions& options,
                                                   const std::string& display) {
    const std::string name = fs::path(chosen.backend->argv.front()).filename().string();
    auto port = free_loopback_port();
    if (!port) return port.error();
    auto password = generate_password();
    if (!password) return password.error();
    // x11vnc's `rm:` prefix deletes the file on reading.
    auto password_file = launcher_platform::write_password_file(options.runtime_dir,
                                                                "vnc-password-", *password + "\n");
    if (!password_file) return password_file.error();

    SpawnOptions spawn;
    spawn.executable = chosen.executable;
    spawn.argv = fill_placeholders(chosen.backend->argv, *port, password_file->string(), display);
    spawn.output = options.runtime_dir / "backend.log";
    auto child = ChildProcess::spawn(spawn);
    if (!child) {
        std::error_code ec;
        fs::remove(*password_file, ec);
        return make_error(launch_error::kSpawn, child.error().message, child.error().where);
    }
    // From here the RunningBackend owns the process and the file: on any failure below,
    // destroying it stops the group and deletes the file.
    ChildProcess& process = **child;
    auto running =
        std::make_unique<LaunchedBackend>(std::move(*child), *port, *password, *password_file);
    if (auto ready = wait_ready(process, *port, name, spawn.output, options); !ready)
        return ready.error();
    return std::unique_ptr<RunningBackend>(std::move(running));
}

}  // namespace

std::string_view to_string(SessionType t) {
    switch (t) {
        case SessionType::x11:
            return "x11";
        case SessionType::wayland:
            return "wayland";
        case SessionType::none:
            return "none";
        case SessionType::windows:
            return "windows";
    }
    return "none";
}

std::vector<std::string> fill_placeholders(const std::vector<std::string>& argv, std::uint16_t port,
                                           const std::string& password_file,
                                           const std::string& display) {
    const std::pair<std::string_view, std::string> known[] = {{"{port}", std::to_string(port)},
                                                              {"{password_file}", password_file},
                                                              {"{display}", display}};
    std::vector<std::string> filled;
    filled.reserve(argv.size());
    for (const auto& arg : argv) {
        // One left-to-right pass: substituted values are never scanned again, and any other
        // "{...}" stays as it is — there is nothing else it could be filled with.
        std::string out;
        std::size_t i = 0;
        while (i < arg.size()) {
            bool replaced = false;
            if (arg[i] == '{') {
                for (const auto& [name, value] : known) {
                    if (std::string_view(arg).substr(i, name.size()) == name) {
                        out += value;
                        i += name.size();
                        replaced = true;
                        break;
                    }
                }
            }
            if (!replaced) out.push_back(arg[i++]);
        }
        filled.push_back(std::move(out));
    }
    return filled;
}

Result<std::unique_ptr<RunningBackend>> launch_backend(const std::vector<ProfileBackend>& backends,
                                                       const LaunchOptions& options) {
    std::string display = options.display;
    if (display.empty()) {
        const char* env = std::getenv("DISPLAY");
        display = env != nullptr ? env : "";
    }
    auto chosen = choose_backends(backends, options.session, display, options.program_dirs);
    if (!chosen) return chosen.error();
    if (auto dir = ensure_runtime_dir(options.runtime_dir); !dir) return dir.error();
    std::optional<Error> unavailable;
    for (const ChosenBackend& backend : *chosen) {
        auto running = launch_one(backend, options, display);
        if (running || running.error().code != launch_error::kUnavailable) return running;
        unavailable = running.error();  // this desktop lacks what it needs: try the next
    }
    return make_error(launch_error::kUnavailable,
                      fmt::format("No screen-sharing program of the support profile works on "
                                  "this desktop. {}",
                                  unavailable ? unavailable->message : ""),
                      "remote.backends");
}

}  // namespace helpline::client
