#pragma once
// helpline-cli's terminal: arguments and text in UTF-8, whether someone can type answers,
// and the mode in which a question is asked with a live countdown. Platform code in
// console_posix.cpp (termios) and console_win32.cpp (the console's code pages and modes, the
// wide command line).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace helpline::client::cli {

/// Sets the process up for UTF-8 in and out: on Windows the console's code pages and its
/// escape sequences ("\r\033[K" redraws the countdown); nothing elsewhere.
void prepare_console();

/// The program's arguments in UTF-8: main()'s own on POSIX; on Windows, where main() gets
/// them in the ANSI code page, taken again from the wide command line.
std::vector<std::string> utf8_arguments(int argc, char** argv);

/// The path an argument names. Arguments are UTF-8 (utf8_arguments()), which a
/// std::filesystem::path made from a std::string would read in the ANSI code page on Windows.
inline std::filesystem::path path_argument(const std::string& utf8) {
    return std::filesystem::path(std::u8string(utf8.begin(), utf8.end()));
}

/// Whether standard input is a terminal (a console) on which someone can type answers.
bool stdin_is_terminal();

/// The terminal without line editing or echo while a question is asked, so the countdown
/// can be redrawn with what was typed; restored on destruction. Ctrl-C still signals. What
/// was typed before is dropped.
class QuestionMode {
  public:
    QuestionMode();
    ~QuestionMode();
    QuestionMode(const QuestionMode&) = delete;
    QuestionMode& operator=(const QuestionMode&) = delete;

  private:
    struct Saved;
    std::unique_ptr<Saved> saved_;
};

}  // namespace helpline::client::cli
