#pragma once
// A program run on a pseudo-terminal (forkpty), as a person at a terminal would run it:
// the test reads what it prints and types answers.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helpline::test {

/// What helpline-cli listen redraws every second while a question waits for its answer.
inline const std::string kCountdown = " s left) > ";

class TerminalSession {
  public:
    /// Starts `argv` on a new pseudo-terminal with the environment `environment`
    /// ("NAME=value" each; nothing else is inherited).
    TerminalSession(const std::vector<std::string>& argv,
                    const std::vector<std::string>& environment);
    ~TerminalSession();  ///< kill -9 if still running
    TerminalSession(const TerminalSession&) = delete;
    TerminalSession& operator=(const TerminalSession&) = delete;

    /// Waits until the output holds `text` at least `times` times; false after `timeout`.
    bool expect(const std::string& text, std::chrono::milliseconds timeout, std::size_t times = 1);
    /// How often `text` occurs in the output so far (reads what is available first).
    std::size_t count(const std::string& text);
    /// Types `keys` on the terminal.
    void type(std::string_view keys);
    /// The exit code once the program ended (128 + signal when killed); nullopt after `timeout`.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    std::string output();
    pid_t pid() const { return pid_; }

  private:
    void pump(std::chrono::milliseconds max_wait);

    pid_t pid_ = -1;
    int master_ = -1;
    std::string output_;
    std::optional<int> exit_code_;
};

/// Answers helpline-cli listen's consent question with "y" until the client takes it: answers
/// within the Allow delay are refused ("Too quick"), so each retry waits for the countdown's
/// next redraw. Fails the test if the client never takes it.
void allow_in_terminal(TerminalSession& terminal);

}  // namespace helpline::test
