#include "branding/tool/run_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "shared/atomic_file.h"

extern char** environ;

namespace helpline::brand {
namespace {

/// What is kept of a program's error output.
constexpr std::uint64_t kMaxErrorText = std::uint64_t{64} * 1024;

/// Waits for `pid`; its exit code, or 128 + signal.
int wait_for(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

Result<std::vector<ProcessOutcome>> run_all(const std::vector<std::vector<std::string>>& commands,
                                            const std::filesystem::path& scratch_dir) {
    std::vector<pid_t> pids;
    std::vector<ProcessOutcome> outcomes(commands.size());
    Error failure;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const std::string err_path = (scratch_dir / fmt::format("stderr-{}", i)).string();
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::vector<char*> argv;
        for (const auto& a : commands[i]) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        pid_t pid = 0;
        const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            failure =
                make_error(rc == ENOENT ? "process.not_found" : "process.start",
                           fmt::format("Could not start {}: {}", commands[i][0], std::strerror(rc)),
                           commands[i][0]);
            break;
        }
        pids.push_back(pid);
    }
    // Every started process is waited for, also after a failure, so none is left behind.
    for (std::size_t i = 0; i < pids.size(); ++i) {
        outcomes[i].exit_code = wait_for(pids[i]);
        if (auto text = read_file(scratch_dir / fmt::format("stderr-{}", i), kMaxErrorText); text)
            outcomes[i].err = std::string(as_string(*text));
    }
    if (!failure.code.empty()) return failure;
    return outcomes;
}

}  // namespace helpline::brand
