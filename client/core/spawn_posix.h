#pragma once
// Running a helper program the POSIX way, for the backend launcher and helpline-vnc-auth:
// posix_spawn of a resolved executable with an argv vector (no shell ever parses it), by
// default in a process group of its own (so stopping it reaches whatever it forks), with no
// descriptor of ours inherited, default signal dispositions and an empty signal mask.

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
/// on where the client started.
std::optional<std::filesystem::path> find_executable(
    const std::string& name, const std::vector<std::filesystem::path>& first_dirs = {});

struct SpawnOptions {
    std::filesystem::path executable;  ///< absolute path, run as is (no PATH search)
    std::vector<std::string> argv;     ///< argv[0] included; passed verbatim
    /// stdout and stderr go to this file (created 0600, truncated); /dev/null when empty.
    /// stdin is always /dev/null.
    std::filesystem::path output;
    /// true: the child leads a new process group, and stop() signals that group. false: it
    /// stays in the caller's group and stop() signals only the child — for a wrapper such as
    /// helpline-vnc-auth, whose backend must stay in the group the launcher signals, so that
    /// it is stopped even when the wrapper itself is killed outright.
    bool own_process_group = true;
};

/// A child process, by default the leader of its own process group. Destroying it stops it.
class ChildProcess {
  public:
    static Result<std::unique_ptr<ChildProcess>> spawn(const SpawnOptions& options);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    int pid() const { return pid_; }  ///< also the process group id with own_process_group
    /// Whether the child has exited. It is not reaped before stop(), so its pid (the group
    /// id with own_process_group) stays reserved and a signal can never hit a stranger.
    bool exited();
    /// The exit code, or 128 + signal number; empty while it runs.
    std::optional<int> exit_status();
    /// SIGTERM, up to `grace` for the child to exit, then SIGKILL (stragglers of its group,
    /// or a child that ignored SIGTERM), then reap. Both signals go to its process group
    /// with own_process_group, else to the child alone. Idempotent.
    void stop(std::chrono::milliseconds grace);

  private:
    ChildProcess(int pid, bool own_group) : pid_(pid), own_group_(own_group) {}
    bool exited_locked();

    std::mutex mutex_;
    int pid_;
    bool own_group_;
    std::optional<int> status_;  ///< set once the leader has exited
    bool reaped_ = false;
};

}  // namespace helpline::client
