#include <termios.h>
#include <unistd.h>

#include "client/cli/console.h"

namespace helpline::client::cli {

void prepare_console() {}

std::vector<std::string> utf8_arguments(int argc, char** argv) {
    return std::vector<std::string>(argv, argv + argc);
}

bool stdin_is_terminal() {
    return ::isatty(STDIN_FILENO) == 1;
}

struct QuestionMode::Saved {
    termios mode{};
};

QuestionMode::QuestionMode() {
    termios saved{};
    if (::tcgetattr(STDIN_FILENO, &saved) != 0) return;
    termios raw = saved;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
        saved_ = std::make_unique<Saved>(Saved{saved});
    // What was typed before the question appeared is no answer to it.
    ::tcflush(STDIN_FILENO, TCIFLUSH);
}

QuestionMode::~QuestionMode() {
    if (saved_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_->mode);
}

}  // namespace helpline::client::cli
