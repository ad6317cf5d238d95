#pragma once
// The program helpline-vnc-auth guards (wayvnc), started by the client's ChildProcess
// (client/core/spawn.h) but left in our own process group — so the client's launcher,
// which signals the whole group, stops it even if this wrapper is killed outright — and
// therefore stopped by signalling it alone. Adds what the wrapper's poll loops need: a
// descriptor that becomes readable when it exits, and its output for error messages.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/core/spawn.h"
#include "shared/result.h"
#include "shared/unique_fd.h"

namespace helpline::client::vnc_auth {

class BackendProcess {
  public:
    /// Runs argv[0] (an absolute path, or found in $PATH's absolute folders) with `argv`,
    /// stdin /dev/null, stdout and stderr to `output` (created 0600), none of our other
    /// descriptors, default signal handling and an empty signal mask.
    static Result<std::unique_ptr<BackendProcess>> spawn(const std::vector<std::string>& argv,
                                                         const std::filesystem::path& output);
    ~BackendProcess();
    BackendProcess(const BackendProcess&) = delete;
    BackendProcess& operator=(const BackendProcess&) = delete;

    int pid() const { return child_->pid(); }
    /// Readable once the process has exited (a pidfd); -1 where the kernel has none, and
    /// then callers poll exited() on a timer.
    int exit_fd() const { return exit_fd_.get(); }
    bool exited() { return child_->exited(); }
    /// Exit code, or 128 + signal; empty while it runs.
    std::optional<int> exit_status() { return child_->exit_status(); }
    /// SIGTERM, up to `grace` for it to exit, SIGKILL, reap. Idempotent.
    void stop(std::chrono::milliseconds grace);
    /// The last `lines` lines it printed, on one line, for an error message.
    std::string output_tail(std::size_t lines = 5) const;

  private:
    BackendProcess(std::unique_ptr<ChildProcess> child, std::filesystem::path output);

    std::unique_ptr<ChildProcess> child_;
    UniqueFd exit_fd_;
    std::filesystem::path output_;
};

}  // namespace helpline::client::vnc_auth
