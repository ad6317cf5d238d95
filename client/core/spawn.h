#pragma once
// Running a helper program, for the backend launcher and helpline-vnc-auth: a resolved
// executable with an argv vector (no shell ever parses it), by default with whatever it starts
// in a group that stop() ends as a whole, with nothing of ours inherited but its output file.
// Platform code in spawn_posix.cpp (posix_spawn, a process group, default signal
// dispositions and an empty signal mask) and spawn_win32.cpp (CreateProcessW, a Job Object).

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.h"

namespace helpline::client {

/// Where the program `name` is installed: `name` itself when it is an absolute path to an
/// executable file, else the first executable `dir/name` for the absolute folders of
/// `first_dirs`, then of $PATH (a default system PATH when unset). Empty PATH entries (the
/// current folder) and relative names with a '/' are never used: what runs must not depend
/// on where the client started. On Windows a backslash counts as a '/' too, PATH is split at
/// ';', and a name without ".exe" is looked for with it.
std::optional<std::filesystem::path> find_executable(
    const std::string& name, const std::vector<std::filesystem::path>& first_dirs = {});

struct SpawnOptions {
    std::filesystem::path executable;  ///< absolute path, run as is (no PATH search)
    std::vector<std::string> argv;     ///< argv[0] included; passed verbatim
    /// stdout and stderr go to this file (created 0600, truncated); /dev/null (NUL) when
    /// empty. stdin is always /dev/null (NUL).
    std::filesystem::path output;
    /// true: the child leads a new process group, and stop() signals that group (Windows: it
    /// and what it starts run in a Job Object of their own, killed as a whole, also when the
    /// client exits). false: it stays in the caller's group (job) and stop() signals only the
    /// child — for a wrapper such as helpline-vnc-auth, whose backend must stay in the group
    /// the launcher signals, so that it is stopped even when the wrapper itself is killed
    /// outright.
    bool own_process_group = true;
};

/// A child process, by default the leader of its own process group. Destroying it stops it.
///
/// On Windows there is no SIGTERM: stop() sends CTRL_BREAK to a console child that shares
/// the caller's console and has its own group, waits up to `grace`, then terminates the job
/// (exit code 137, as a SIGKILL reads on Linux); any other child is terminated at once.
class ChildProcess {
  public:
    static Result<std::unique_ptr<ChildProcess>> spawn(const SpawnOptions& options);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    int pid() const { return pid_; }  ///< also the process group id with own_process_group
    /// Whether the child has exited. It is not reaped before stop() (on Windows its handle
    /// stays open), so its pid (the group id with own_process_group) stays reserved and a
    /// signal can never hit a stranger.
    bool exited();
    /// The exit code, or 128 + signal number; empty while it runs.
    std::optional<int> exit_status();
    /// SIGTERM, up to `grace` for the child to exit, then SIGKILL (stragglers of its group,
    /// or a child that ignored SIGTERM), then reap. Both signals go to its process group
    /// with own_process_group, else to the child alone. Idempotent.
    void stop(std::chrono::milliseconds grace);

  private:
    struct Handles;  ///< the platform's own (Windows: the process and its job); may be null
    ChildProcess(int pid, bool own_group, std::unique_ptr<Handles> handles = {});
    bool exited_locked();

    std::mutex mutex_;
    int pid_;
    bool own_group_;
    std::optional<int> status_;  ///< set once the leader has exited
    bool reaped_ = false;
    std::unique_ptr<Handles> handles_;
};

}  // namespace helpline::client
