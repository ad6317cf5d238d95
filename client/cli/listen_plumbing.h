#pragma once
// Plumbing of helpline-cli listen's main loop: stop requests (Ctrl-C, SIGTERM, SIGHUP; on
// Windows the console's Ctrl-C, Ctrl-Break and closing), other threads' messages and the
// customer's keys all end one wait(). Platform code in listen_plumbing_posix.cpp (pipes
// polled with stdin) and listen_plumbing_win32.cpp (an event, with the console's input).

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>

namespace helpline::client::cli {

/// What the main loop waits on. One at a time per process: it installs the stop handlers.
class MainLoop {
  public:
    MainLoop();
    ~MainLoop();
    MainLoop(const MainLoop&) = delete;
    MainLoop& operator=(const MainLoop&) = delete;

    /// Ends a wait() soon; from any thread.
    void wake();
    /// True once a stop request came (it stays so).
    bool stop_requested();
    /// Waits for wake(), a stop request or `timeout`; with `with_stdin` for input too. True
    /// when there is input to read (or its end).
    bool wait(bool with_stdin, std::chrono::milliseconds timeout);
    /// What was typed, after wait() said there is some: the number of bytes read, 0 or less
    /// at the end of input (the terminal went away, Ctrl-D on a line of its own). On Windows
    /// keys come one by one from the console, Enter as '\n' and Ctrl-Z as Ctrl-D (0x04).
    std::ptrdiff_t read_input(char* buffer, std::size_t size);
    /// Drops what was typed and not read yet: it was typed before the question appeared.
    void discard_input();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

/// Items from other threads for the main loop; each push wakes it.
template <typename T>
class WakeQueue {
  public:
    explicit WakeQueue(MainLoop& loop) : loop_(loop) {}
    WakeQueue(const WakeQueue&) = delete;
    WakeQueue& operator=(const WakeQueue&) = delete;

    void push(T item) {
        {
            std::lock_guard lock(mutex_);
            items_.push_back(std::move(item));
        }
        loop_.wake();
    }
    std::deque<T> take() {
        std::lock_guard lock(mutex_);
        return std::exchange(items_, {});
    }

  private:
    MainLoop& loop_;
    std::mutex mutex_;
    std::deque<T> items_;
};

}  // namespace helpline::client::cli
