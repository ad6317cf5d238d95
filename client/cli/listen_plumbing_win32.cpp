#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "client/cli/listen_plumbing.h"
#include "client/core/win32_util.h"

namespace helpline::client::cli {
namespace {

/// What the console's control handler reaches, on a thread of the system's. Made once and
/// never freed: the handler may still run while a MainLoop goes away.
struct Control {
    std::atomic<bool> stop{false};
    HANDLE wake = ::CreateEventW(nullptr, FALSE, FALSE, nullptr);     ///< auto-reset
    HANDLE finished = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);  ///< the loop is over
};

Control& control() {
    static Control* const c = new Control();  // NOLINT: lives until the process ends
    return *c;
}

BOOL WINAPI on_console_control(DWORD type) {
    Control& c = control();
    c.stop = true;
    ::SetEvent(c.wake);
    if (type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT) return TRUE;
    // The console is closing, the user logging off or the system shutting down: Windows
    // ends the process when this returns, so the loop gets a few seconds to decline an open
    // question or end a session properly, as on SIGHUP.
    ::WaitForSingleObject(c.finished, 4000);
    return TRUE;
}

HANDLE console_input() {
    const HANDLE in = ::GetStdHandle(STD_INPUT_HANDLE);
    DWORD mode = 0;
    return in != nullptr && in != INVALID_HANDLE_VALUE && ::GetConsoleMode(in, &mode) ? in
                                                                                      : nullptr;
}

}  // namespace

/// Keys are read as the console's input events (never a blocking line read), so that one
/// WaitForMultipleObjects covers them, the wake-ups and the stop requests.
struct MainLoop::State {
    std::string pending;         ///< typed (UTF-8), not read yet
    wchar_t high_surrogate = 0;  ///< the first half of a character typed in two events

    void add(wchar_t c) {
        if (c >= 0xD800 && c <= 0xDBFF) {
            high_surrogate = c;
            return;
        }
        if (c >= 0xDC00 && c <= 0xDFFF) {
            if (high_surrogate != 0) pending += win32::to_utf8(std::wstring{high_surrogate, c});
            high_surrogate = 0;
            return;
        }
        high_surrogate = 0;
        // As a terminal's bytes reach listen on Linux: Enter ends a line, and Ctrl-Z (the
        // console's end of input) means what Ctrl-D does there.
        if (c == L'\r')
            pending += '\n';
        else if (c == 0x1A)
            pending += '\x04';
        else
            pending += win32::to_utf8(std::wstring(1, c));
    }

    void read_events(HANDLE in) {
        DWORD count = 0;
        if (!::GetNumberOfConsoleInputEvents(in, &count) || count == 0) return;
        INPUT_RECORD records[64];
        DWORD n = 0;
        if (!::ReadConsoleInputW(in, records, std::min<DWORD>(count, 64), &n)) return;
        for (DWORD i = 0; i < n; ++i) {
            if (records[i].EventType != KEY_EVENT) continue;  // focus, mouse, resizing
            const KEY_EVENT_RECORD& key = records[i].Event.KeyEvent;
            if (!key.bKeyDown || key.uChar.UnicodeChar == 0) continue;
            for (WORD r = 0; r < std::max<WORD>(key.wRepeatCount, 1); ++r)
                add(key.uChar.UnicodeChar);
        }
    }
};

MainLoop::MainLoop() : state_(std::make_unique<State>()) {
    Control& c = control();
    c.stop = false;
    ::ResetEvent(c.finished);
    ::SetConsoleCtrlHandler(on_console_control, TRUE);
}

MainLoop::~MainLoop() {
    ::SetConsoleCtrlHandler(on_console_control, FALSE);
    ::SetEvent(control().finished);
}

void MainLoop::wake() {
    ::SetEvent(control().wake);
}

bool MainLoop::stop_requested() {
    return control().stop;
}

bool MainLoop::wait(bool with_stdin, std::chrono::milliseconds timeout) {
    // Not a console (a pipe, a file): nobody types answers there, and listen does not ask.
    const HANDLE in = with_stdin ? console_input() : nullptr;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (in != nullptr && !state_->pending.empty()) return true;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const HANDLE handles[2] = {control().wake, in};
        const DWORD woke = ::WaitForMultipleObjects(
            in != nullptr ? 2 : 1, handles, FALSE,
            static_cast<DWORD>(std::max<std::chrono::milliseconds::rep>(left.count(), 0)));
        if (woke != WAIT_OBJECT_0 + 1) return false;  // woken, stopped or timed out
        state_->read_events(in);
        if (!state_->pending.empty()) return true;
        if (left.count() <= 0) return false;
    }
}

std::ptrdiff_t MainLoop::read_input(char* buffer, std::size_t size) {
    const std::size_t n = std::min(size, state_->pending.size());
    std::memcpy(buffer, state_->pending.data(), n);
    state_->pending.erase(0, n);
    return static_cast<std::ptrdiff_t>(n);
}

void MainLoop::discard_input() {
    if (const HANDLE in = console_input()) ::FlushConsoleInputBuffer(in);
    state_->pending.clear();
}

}  // namespace helpline::client::cli
