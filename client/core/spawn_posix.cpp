#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>

#include "client/core/spawn.h"

extern char** environ;

namespace helpline::client {

namespace fs = std::filesystem;

struct ChildProcess::Handles {};  // a pid is all POSIX needs

namespace {

// glibc 2.34 added posix_spawn_file_actions_addclosefrom_np; the child then closes every
// descriptor >= 3 itself, with no window in which another thread's new descriptor leaks.
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define HELPLINE_HAVE_ADDCLOSEFROM 1
#else
#define HELPLINE_HAVE_ADDCLOSEFROM 0
#endif

bool is_executable_file(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

#if !HELPLINE_HAVE_ADDCLOSEFROM
// Without closefrom in the file actions, every descriptor of the parent is marked
// close-on-exec before spawning. The parent never execs, so this costs it nothing.
void mark_all_cloexec() {
    long max_fd = ::sysconf(_SC_OPEN_MAX);
    if (max_fd < 0 || max_fd > 65536) max_fd = 65536;
    for (int fd = 3; fd < static_cast<int>(max_fd); ++fd) {
        const int flags = ::fcntl(fd, F_GETFD);
        if (flags >= 0 && (flags & FD_CLOEXEC) == 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}
#endif

/// Owns the posix_spawn attribute and file-action objects for one spawn.
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

    /// 0 or an errno value.
    int prepare(const fs::path& output, bool own_group) {
        // Own process group (pgid = its pid) when asked; no blocked signals; every
        // catchable signal back to its default, whatever the caller ignores, handles or
        // blocks (helpline-vnc-auth blocks its stop signals for a signalfd).
        int flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
        if (own_group) flags |= POSIX_SPAWN_SETPGROUP;
        int rc = ::posix_spawnattr_setflags(&attr_, static_cast<short>(flags));
        if (rc == 0 && own_group) rc = ::posix_spawnattr_setpgroup(&attr_, 0);
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
        const std::string out = output.empty() ? std::string("/dev/null") : output.string();
        if (rc == 0)
            rc = ::posix_spawn_file_actions_addopen(&actions_, 1, out.c_str(),
                                                    O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (rc == 0) rc = ::posix_spawn_file_actions_adddup2(&actions_, 1, 2);
#if HELPLINE_HAVE_ADDCLOSEFROM
        // None of our descriptors (a listener, a viewer's socket) reaches the child.
        if (rc == 0) rc = ::posix_spawn_file_actions_addclosefrom_np(&actions_, 3);
#else
        mark_all_cloexec();
#endif
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

std::optional<fs::path> find_executable(const std::string& name,
                                        const std::vector<fs::path>& first_dirs) {
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string::npos) {
        const fs::path path(name);
        if (path.is_absolute() && is_executable_file(path)) return path;
        return std::nullopt;
    }
    for (const fs::path& dir : first_dirs) {
        if (!dir.is_absolute()) continue;
        const fs::path candidate = dir / name;
        if (is_executable_file(candidate)) return candidate;
    }
    const char* env = std::getenv("PATH");
    const std::string_view search = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= search.size()) {
        std::size_t end = search.find(':', start);
        if (end == std::string_view::npos) end = search.size();
        const fs::path dir(std::string(search.substr(start, end - start)));
        if (dir.is_absolute()) {
            const fs::path candidate = dir / name;
            if (is_executable_file(candidate)) return candidate;
        }
        start = end + 1;
    }
    return std::nullopt;
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const SpawnOptions& options) {
    if (options.argv.empty())
        return make_error("spawn.argv", "No program to start: the argument list is empty.");
    SpawnSetup setup;
    if (const int rc = setup.prepare(options.output, options.own_process_group); rc != 0)
        return make_error("spawn.setup",
                          fmt::format("Could not prepare to start '{}': {}.",
                                      options.executable.string(), std::strerror(rc)));

    std::vector<char*> argv;
    argv.reserve(options.argv.size() + 1);
    for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);

    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, options.executable.c_str(), setup.actions(), setup.attr(),
                                 argv.data(), environ);
    if (rc != 0)
        return make_error("spawn.exec",
                          fmt::format("Could not start '{}': {}.", options.executable.string(),
                                      std::strerror(rc)),
                          options.executable.string());
    return std::unique_ptr<ChildProcess>(new ChildProcess(pid, options.own_process_group));
}

ChildProcess::ChildProcess(int pid, bool own_group, std::unique_ptr<Handles> handles)
    : pid_(pid), own_group_(own_group), handles_(std::move(handles)) {}

ChildProcess::~ChildProcess() {
    stop(std::chrono::milliseconds(1000));
}

bool ChildProcess::exited() {
    std::lock_guard lock(mutex_);
    return exited_locked();
}

std::optional<int> ChildProcess::exit_status() {
    std::lock_guard lock(mutex_);
    exited_locked();
    return status_;
}

bool ChildProcess::exited_locked() {
    if (status_) return true;
    siginfo_t info{};
    int rc = 0;
    do {
        rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        // ECHILD: someone else reaped it (SIGCHLD ignored by the application).
        status_ = -1;
        reaped_ = true;
        return true;
    }
    if (info.si_pid == 0) return false;
    status_ = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
    return true;
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
    std::lock_guard lock(mutex_);
    if (reaped_) return;
    // Until the child is reaped below, its pid and group id cannot be reused, so these
    // signals reach only the child and, with its own group, what it started. Without one,
    // the group is the caller's: only the child is signalled.
    const pid_t target = own_group_ ? -pid_ : pid_;
    ::kill(target, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    auto pause = std::chrono::milliseconds(1);
    while (!exited_locked() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(10));
    }
    if (!reaped_) {
        ::kill(target, SIGKILL);
        int status = 0;
        pid_t rc = 0;
        do {
            rc = ::waitpid(pid_, &status, 0);
        } while (rc < 0 && errno == EINTR);
        if (rc == pid_ && !status_)
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        reaped_ = true;
    }
}

}  // namespace helpline::client
