#pragma once
// Plumbing of helpline-cli listen's main loop: stop signals and other threads' messages
// arrive as bytes on pipes that one poll() waits on, and the terminal is put in a mode
// where a question can be asked with a live countdown.

#include <fcntl.h>
#include <unistd.h>

#include <termios.h>

#include <csignal>
#include <deque>
#include <mutex>
#include <utility>

namespace helpline::client::cli {

/// Ctrl-C, SIGTERM and SIGHUP become bytes on a pipe the main loop polls (one at a time).
class SignalPipe {
  public:
    SignalPipe();
    ~SignalPipe();
    SignalPipe(const SignalPipe&) = delete;
    SignalPipe& operator=(const SignalPipe&) = delete;

    int fd() const { return fds_[0]; }
    /// Drains the pipe; true once a signal came.
    bool fired();

  private:
    int fds_[2] = {-1, -1};
    bool fired_ = false;
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
    struct sigaction old_hup_ {};
};

/// Items from other threads for the main loop, with a pipe to poll for "there is more".
template <typename T>
class WakeQueue {
  public:
    WakeQueue() {
        if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) fds_[0] = fds_[1] = -1;
    }
    ~WakeQueue() {
        for (int fd : fds_)
            if (fd >= 0) ::close(fd);
    }
    WakeQueue(const WakeQueue&) = delete;
    WakeQueue& operator=(const WakeQueue&) = delete;

    void push(T item) {
        {
            std::lock_guard lock(mutex_);
            items_.push_back(std::move(item));
        }
        const char byte = 'i';
        (void)!::write(fds_[1], &byte, 1);  // a full pipe already wakes the reader
    }
    std::deque<T> take() {
        char buffer[256];
        while (::read(fds_[0], buffer, sizeof buffer) > 0) {
        }
        std::lock_guard lock(mutex_);
        return std::exchange(items_, {});
    }
    int fd() const { return fds_[0]; }

  private:
    int fds_[2] = {-1, -1};
    std::mutex mutex_;
    std::deque<T> items_;
};

/// The terminal without line editing or echo while a question is asked, so the countdown
/// can be redrawn with what was typed; restored on destruction. Ctrl-C still signals.
class QuestionMode {
  public:
    QuestionMode();
    ~QuestionMode();
    QuestionMode(const QuestionMode&) = delete;
    QuestionMode& operator=(const QuestionMode&) = delete;

  private:
    termios saved_{};
    bool active_ = false;
};

}  // namespace helpline::client::cli
