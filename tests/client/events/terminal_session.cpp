#include "tests/client/events/terminal_session.h"

#include "tests/support/fixtures.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <stdexcept>

namespace helpline::test {
namespace {

std::vector<char*> pointers(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

}  // namespace

TerminalSession::TerminalSession(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& environment) {
    // Everything the child needs is prepared before fork: after it, only exec.
    auto args = pointers(argv);
    auto env = pointers(environment);
    winsize size{};
    size.ws_row = 24;
    size.ws_col = 120;
    pid_ = ::forkpty(&master_, nullptr, nullptr, &size);
    if (pid_ < 0) throw std::runtime_error("forkpty failed");
    if (pid_ == 0) {
        ::execve(args[0], args.data(), env.data());
        ::_exit(127);
    }
    ::fcntl(master_, F_SETFD, FD_CLOEXEC);
    ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
}

TerminalSession::~TerminalSession() {
    if (!exit_code_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) ::close(master_);
}

void TerminalSession::pump(std::chrono::milliseconds max_wait) {
    if (master_ < 0) return;
    pollfd p{master_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(max_wait.count())) <= 0) return;
    char buffer[4096];
    while (true) {
        const ssize_t n = ::read(master_, buffer, sizeof buffer);
        if (n > 0) {
            output_.append(buffer, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        // EIO: the child closed its side of the terminal (it exited).
        ::close(master_);
        master_ = -1;
        return;
    }
}

bool TerminalSession::expect(const std::string& text, std::chrono::milliseconds timeout,
                             std::size_t times) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (count(text) >= times) return true;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || master_ < 0) return count(text) >= times;
        pump(std::min(left, std::chrono::milliseconds(100)));
    }
}

std::size_t TerminalSession::count(const std::string& text) {
    pump(std::chrono::milliseconds(0));
    std::size_t n = 0;
    for (auto at = output_.find(text); at != std::string::npos;
         at = output_.find(text, at + text.size()))
        ++n;
    return n;
}

void TerminalSession::type(std::string_view keys) {
    while (!keys.empty() && master_ >= 0) {
        const ssize_t n = ::write(master_, keys.data(), keys.size());
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                pump(std::chrono::milliseconds(10));
                continue;
            }
            return;
        }
        keys.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::optional<int> TerminalSession::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        pump(std::chrono::milliseconds(20));  // keep reading: a full terminal would block the child
    }
    pump(std::chrono::milliseconds(0));
    return exit_code_;
}

std::string TerminalSession::output() {
    pump(std::chrono::milliseconds(0));
    return output_;
}

void allow_in_terminal(TerminalSession& terminal) {
    for (int attempt = 0; attempt < 10; ++attempt) {
        const auto refused = terminal.count("Too quick");
        const auto drawn = terminal.count(kCountdown);
        terminal.type("y\r");
        REQUIRE(wait_for(
            [&] {
                return terminal.count("Too quick") > refused ||
                       terminal.count("Starting the remote-control") > 0;
            },
            std::chrono::seconds(10)));
        if (terminal.count("Starting the remote-control") > 0) return;
        // the next second's redraw
        REQUIRE(terminal.expect(kCountdown, std::chrono::seconds(5), drawn + 2));
    }
    FAIL("the client never took the answer: " << terminal.output());
}

}  // namespace helpline::test
