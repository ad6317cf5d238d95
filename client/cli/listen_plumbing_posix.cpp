#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>

#include "client/cli/listen_plumbing.h"

namespace helpline::client::cli {
namespace {

int g_signal_fd = -1;

extern "C" void on_stop_signal(int) {
    const char byte = 's';
    if (g_signal_fd >= 0) (void)!::write(g_signal_fd, &byte, 1);
}

void close_pair(int (&fds)[2]) {
    for (int fd : fds)
        if (fd >= 0) ::close(fd);
}

void drain(int fd) {
    char buffer[256];
    while (fd >= 0 && ::read(fd, buffer, sizeof buffer) > 0) {
    }
}

}  // namespace

/// Ctrl-C, SIGTERM and SIGHUP become bytes on a pipe polled with the wake-up pipe and stdin.
struct MainLoop::State {
    int signal_fds[2] = {-1, -1};
    int wake_fds[2] = {-1, -1};
    bool fired = false;
    struct sigaction old_int {};
    struct sigaction old_term {};
    struct sigaction old_hup {};
};

MainLoop::MainLoop() : state_(std::make_unique<State>()) {
    if (::pipe2(state_->signal_fds, O_CLOEXEC | O_NONBLOCK) != 0)
        state_->signal_fds[0] = state_->signal_fds[1] = -1;
    if (::pipe2(state_->wake_fds, O_CLOEXEC | O_NONBLOCK) != 0)
        state_->wake_fds[0] = state_->wake_fds[1] = -1;
    g_signal_fd = state_->signal_fds[1];
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: poll() returns at once
    ::sigaction(SIGINT, &action, &state_->old_int);
    ::sigaction(SIGTERM, &action, &state_->old_term);
    ::sigaction(SIGHUP, &action, &state_->old_hup);  // the terminal went away: end like Ctrl-C
}

MainLoop::~MainLoop() {
    ::sigaction(SIGINT, &state_->old_int, nullptr);
    ::sigaction(SIGTERM, &state_->old_term, nullptr);
    ::sigaction(SIGHUP, &state_->old_hup, nullptr);
    g_signal_fd = -1;
    close_pair(state_->signal_fds);
    close_pair(state_->wake_fds);
}

void MainLoop::wake() {
    const char byte = 'i';
    (void)!::write(state_->wake_fds[1], &byte, 1);  // a full pipe already wakes the reader
}

bool MainLoop::stop_requested() {
    char buffer[64];
    bool any = false;
    while (state_->signal_fds[0] >= 0 && ::read(state_->signal_fds[0], buffer, sizeof buffer) > 0)
        any = true;
    state_->fired = state_->fired || any;
    return state_->fired;
}

bool MainLoop::wait(bool with_stdin, std::chrono::milliseconds timeout) {
    pollfd fds[3] = {{state_->wake_fds[0], POLLIN, 0},
                     {state_->signal_fds[0], POLLIN, 0},
                     {STDIN_FILENO, POLLIN, 0}};
    const nfds_t count = with_stdin ? 3 : 2;
    const int ready = ::poll(fds, count, static_cast<int>(timeout.count()));
    // Drained before the caller takes its items: a push after this wakes the next wait.
    if (ready > 0 && fds[0].revents != 0) drain(state_->wake_fds[0]);
    return ready > 0 && count == 3 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

std::ptrdiff_t MainLoop::read_input(char* buffer, std::size_t size) {
    return ::read(STDIN_FILENO, buffer, size);
}

void MainLoop::discard_input() {
    ::tcflush(STDIN_FILENO, TCIFLUSH);
}

}  // namespace helpline::client::cli
