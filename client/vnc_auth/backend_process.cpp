#include "client/vnc_auth/backend_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>
#include <thread>

extern char** environ;

namespace helpline::client::vnc_auth {

namespace fs = std::filesystem;

namespace {

bool is_executable_file(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

/// As the client's launcher finds its backends: an absolute path as is, else the absolute
/// folders of $PATH only (never the current folder), so what runs does not depend on where
/// the wrapper was started.
std::optional<fs::path> find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        const fs::path path(name);
        if (path.is_absolute() && is_executable_file(path)) return path;
        return std::nullopt;
    }
    const char* env = std::getenv("PATH");
    const std::string_view search = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= search.size()) {
        std::size_t end = search.find(':', start);
        if (end == std::string_view::npos) end = search.size();
        const fs::path dir(std::string(search.substr(start, end - start)));
        if (dir.is_absolute() && !name.empty() && is_executable_file(dir / name)) return dir / name;
        start = end + 1;
    }
    return std::nullopt;
}

int open_pidfd(int pid) {
#ifdef SYS_pidfd_open
    const long fd = ::syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    return static_cast<int>(fd);
#else
    (void)pid;
    return -1;
#endif
}

class SpawnSetup {
  public:
    SpawnSetup() {
        ::posix_spawnattr_init(&attr_);
        ::posix_spawn_file_actions_init(&actions_);
    }
    ~SpawnSetup() {
        ::posix_spawn_file_actions_destroy(&actions_);
        ::posix_spawnattr_destroy(&attr_);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;

    /// 0 or an errno value. No POSIX_SPAWN_SETPGROUP: the child stays in our group.
    int prepare(const fs::path& output) {
        int rc = ::posix_spawnattr_setflags(
            &attr_, static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
        sigset_t none;
        sigemptyset(&none);
        if (rc == 0) rc = ::posix_spawnattr_setsigmask(&attr_, &none);
        sigset_t all;
        sigfillset(&all);
        sigdelset(&all, SIGKILL);
        sigdelset(&all, SIGSTOP);
        if (rc == 0) rc = ::posix_spawnattr_setsigdefault(&attr_, &all);
        if (rc == 0)
            rc = ::posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
        if (rc == 0)
            rc = ::posix_spawn_file_actions_addopen(&actions_, 1, output.c_str(),
                                                    O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (rc == 0) rc = ::posix_spawn_file_actions_adddup2(&actions_, 1, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
        // None of our descriptors (the listener, a viewer's socket) reaches the child.
        if (rc == 0) rc = ::posix_spawn_file_actions_addclosefrom_np(&actions_, 3);
#endif
        // Elsewhere every descriptor of ours is opened close-on-exec, with the same effect.
        return rc;
    }
    const posix_spawnattr_t* attr() const {
        return &attr_;
    }
    const posix_spawn_file_actions_t* actions() const {
        return &actions_;
    }

  private:
    posix_spawnattr_t attr_;
    posix_spawn_file_actions_t actions_;
};

}  // namespace

Result<std::unique_ptr<BackendProcess>> BackendProcess::spawn(const std::vector<std::string>& argv,
                                                              const fs::path& output) {
    if (argv.empty() || argv.front().empty())
        return make_error("backend.argv", "No program to start was given after '--'.");
    const auto executable = find_program(argv.front());
    if (!executable)
        return make_error(
            "backend.not_installed",
            fmt::format("The program '{}' was not found (as an absolute path or in "
                        "PATH). For wlroots desktops install wayvnc: sudo apt install "
                        "wayvnc.",
                        argv.front()),
            argv.front());
    SpawnSetup setup;
    if (const int rc = setup.prepare(output); rc != 0)
        return make_error("backend.spawn", fmt::format("Could not prepare to start '{}': {}.",
                                                       executable->string(), std::strerror(rc)));
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    if (const int rc = ::posix_spawn(&pid, executable->c_str(), setup.actions(), setup.attr(),
                                     args.data(), environ);
        rc != 0)
        return make_error(
            "backend.spawn",
            fmt::format("Could not start '{}': {}.", executable->string(), std::strerror(rc)),
            executable->string());
    return std::unique_ptr<BackendProcess>(new BackendProcess(pid, output));
}

BackendProcess::BackendProcess(int pid, fs::path output)
    : pid_(pid), exit_fd_(open_pidfd(pid)), output_(std::move(output)) {}

BackendProcess::~BackendProcess() {
    stop(std::chrono::milliseconds(1000));
}

bool BackendProcess::exited() {
    if (status_) return true;
    // WNOWAIT: it stays a zombie until stop() reaps it, so its pid is never reused while we
    // might still signal it.
    siginfo_t info{};
    int rc = 0;
    do {
        rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {  // ECHILD: reaped elsewhere
        status_ = -1;
        reaped_ = true;
        return true;
    }
    if (info.si_pid == 0) return false;
    status_ = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
    return true;
}

std::optional<int> BackendProcess::exit_status() {
    exited();
    return status_;
}

void BackendProcess::stop(std::chrono::milliseconds grace) {
    if (reaped_) return;
    if (!exited()) {
        ::kill(pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (!exited() && std::chrono::steady_clock::now() < deadline) {
            if (exit_fd_.get() >= 0) {
                pollfd pfd{exit_fd_.get(), POLLIN, 0};
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now());
                ::poll(&pfd, 1, static_cast<int>(std::max<long>(left.count(), 0) + 1));
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        }
        if (!exited()) ::kill(pid_, SIGKILL);
    }
    int status = 0;
    pid_t rc = 0;
    do {
        rc = ::waitpid(pid_, &status, 0);
    } while (rc < 0 && errno == EINTR);
    if (rc == pid_ && !status_)
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    reaped_ = true;
    exit_fd_.reset();
}

std::string BackendProcess::output_tail(std::size_t lines) const {
    std::ifstream in(output_, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    std::size_t start = text.size(), found = 0;
    while (start > 0) {
        if (text[start - 1] == '\n' && ++found == lines) break;
        --start;
    }
    text = text.substr(start);
    constexpr std::size_t kMax = 600;
    if (text.size() > kMax) text = "…" + text.substr(text.size() - kMax);
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    return text;
}

}  // namespace helpline::client::vnc_auth
