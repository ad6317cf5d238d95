#include "client/vnc_auth/backend_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

namespace helpline::client::vnc_auth {

namespace fs = std::filesystem;

namespace {

/// Opened after the spawn, which is safe: ChildProcess reaps only in stop(), so until then
/// the pid cannot belong to another process.
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

}  // namespace

Result<std::unique_ptr<BackendProcess>> BackendProcess::spawn(const std::vector<std::string>& argv,
                                                              const fs::path& output) {
    if (argv.empty() || argv.front().empty())
        return make_error("backend.argv", "No program to start was given after '--'.");
    // As the client's launcher finds its backends, less its own folder: never the current
    // folder, so what runs does not depend on where the wrapper was started.
    const auto executable = find_executable(argv.front());
    if (!executable)
        return make_error(
            "backend.not_installed",
            fmt::format("The program '{}' was not found (as an absolute path or in "
                        "PATH). For wlroots desktops install wayvnc: sudo apt install "
                        "wayvnc.",
                        argv.front()),
            argv.front());
    SpawnOptions options;
    options.executable = *executable;
    options.argv = argv;
    options.output = output;
    options.own_process_group = false;  // see the header: the launcher's group kill
    auto child = ChildProcess::spawn(options);
    if (!child) return child.error();
    return std::unique_ptr<BackendProcess>(new BackendProcess(std::move(*child), output));
}

BackendProcess::BackendProcess(std::unique_ptr<ChildProcess> child, fs::path output)
    : child_(std::move(child)), exit_fd_(open_pidfd(child_->pid())), output_(std::move(output)) {}

BackendProcess::~BackendProcess() {
    stop(std::chrono::milliseconds(1000));
}

void BackendProcess::stop(std::chrono::milliseconds grace) {
    child_->stop(grace);
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
