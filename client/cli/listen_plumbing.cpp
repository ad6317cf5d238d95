#include "client/cli/listen_plumbing.h"

namespace helpline::client::cli {
namespace {

int g_signal_fd = -1;

extern "C" void on_stop_signal(int) {
    const char byte = 's';
    if (g_signal_fd >= 0) (void)!::write(g_signal_fd, &byte, 1);
}

}  // namespace

SignalPipe::SignalPipe() {
    if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) fds_[0] = fds_[1] = -1;
    g_signal_fd = fds_[1];
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: poll() returns at once
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
    ::sigaction(SIGHUP, &action, &old_hup_);  // the terminal went away: end like Ctrl-C
}

SignalPipe::~SignalPipe() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGHUP, &old_hup_, nullptr);
    g_signal_fd = -1;
    for (int fd : fds_)
        if (fd >= 0) ::close(fd);
}

bool SignalPipe::fired() {
    char buffer[64];
    bool any = false;
    while (fds_[0] >= 0 && ::read(fds_[0], buffer, sizeof buffer) > 0) any = true;
    fired_ = fired_ || any;
    return fired_;
}

QuestionMode::QuestionMode() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    // What was typed before the question appeared is no answer to it.
    ::tcflush(STDIN_FILENO, TCIFLUSH);
}

QuestionMode::~QuestionMode() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

}  // namespace helpline::client::cli
