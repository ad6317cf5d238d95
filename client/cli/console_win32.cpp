// windows.h first: the headers after it need its types.
// clang-format off
#include <windows.h>
#include <shellapi.h>
// clang-format on

#include <cstdlib>

#include "client/cli/console.h"
#include "client/core/win32_util.h"

namespace helpline::client::cli {
namespace {

bool console_mode(HANDLE h, DWORD& mode) {
    return h != nullptr && h != INVALID_HANDLE_VALUE && ::GetConsoleMode(h, &mode);
}

/// The console belongs to the shell that started us too: what prepare_console() changed is
/// put back when the program exits.
struct SavedConsole {
    UINT input_cp = 0;
    UINT output_cp = 0;
    DWORD out_mode = 0;
    DWORD err_mode = 0;
    bool out_saved = false;
    bool err_saved = false;
};
SavedConsole g_saved;

extern "C" void restore_console() {
    if (g_saved.output_cp != 0) ::SetConsoleOutputCP(g_saved.output_cp);
    if (g_saved.input_cp != 0) ::SetConsoleCP(g_saved.input_cp);
    if (g_saved.out_saved) ::SetConsoleMode(::GetStdHandle(STD_OUTPUT_HANDLE), g_saved.out_mode);
    if (g_saved.err_saved) ::SetConsoleMode(::GetStdHandle(STD_ERROR_HANDLE), g_saved.err_mode);
}

/// Escape sequences on: "\r\033[K" redraws listen's countdown line.
bool enable_sequences(DWORD which, DWORD& saved) {
    const HANDLE h = ::GetStdHandle(which);
    if (!console_mode(h, saved)) return false;
    ::SetConsoleMode(h, saved | ENABLE_PROCESSED_OUTPUT | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
    return true;
}

}  // namespace

void prepare_console() {
    // The client's texts are UTF-8 (translations, the team's name); so are answers typed.
    g_saved.input_cp = ::GetConsoleCP();
    g_saved.output_cp = ::GetConsoleOutputCP();
    ::SetConsoleOutputCP(CP_UTF8);
    ::SetConsoleCP(CP_UTF8);
    g_saved.out_saved = enable_sequences(STD_OUTPUT_HANDLE, g_saved.out_mode);
    g_saved.err_saved = enable_sequences(STD_ERROR_HANDLE, g_saved.err_mode);
    std::atexit(restore_console);
}

std::vector<std::string> utf8_arguments(int argc, char** argv) {
    int count = 0;
    wchar_t** wide = ::CommandLineToArgvW(::GetCommandLineW(), &count);
    if (wide == nullptr) return std::vector<std::string>(argv, argv + argc);
    std::vector<std::string> args;
    args.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) args.push_back(win32::to_utf8(wide[i]));
    ::LocalFree(wide);
    return args;
}

bool stdin_is_terminal() {
    DWORD mode = 0;
    return console_mode(::GetStdHandle(STD_INPUT_HANDLE), mode);
}

struct QuestionMode::Saved {
    DWORD mode = 0;
};

QuestionMode::QuestionMode() {
    // listen reads the console's key events itself (MainLoop::read_input); without line
    // input and echo the console does not also edit and show a line of its own.
    const HANDLE in = ::GetStdHandle(STD_INPUT_HANDLE);
    DWORD mode = 0;
    if (!console_mode(in, mode)) return;
    const DWORD raw = (mode & ~static_cast<DWORD>(ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT)) |
                      ENABLE_PROCESSED_INPUT;  // Ctrl-C still signals
    if (::SetConsoleMode(in, raw)) saved_ = std::make_unique<Saved>(Saved{mode});
    // What was typed before the question appeared is no answer to it.
    ::FlushConsoleInputBuffer(in);
}

QuestionMode::~QuestionMode() {
    if (saved_) ::SetConsoleMode(::GetStdHandle(STD_INPUT_HANDLE), saved_->mode);
}

}  // namespace helpline::client::cli
