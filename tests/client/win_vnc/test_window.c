/* A known picture and an input recorder for helpline-win-vnc's tests under Wine (a Win32
 * program, cross-built with mingw-w64 by tests/client/win_vnc/CMakeLists.txt).
 *
 *     win_vnc_test_window.exe LOG
 *
 * A borderless, topmost 320x240 window with its top left corner at (40, 40) of the screen,
 * in four solid quadrants of exact colours:
 *     top left  red   (255, 0, 0)      top right     green (0, 255, 0)
 *     bottom left blue (0, 0, 255)     bottom right  white (255, 255, 255)
 * Each event is one line appended to LOG (flushed at once), positions in screen pixels:
 *     ready                      shown, painted and in front
 *     button left|middle|right down|up X Y
 *     wheel DELTA                vertical wheel, 120 a notch, positive away from the user
 *     keydown VK | keyup VK      virtual key in hex (WM_KEYDOWN / WM_SYSKEYDOWN alike)
 *     char HEX                   a character typed (WM_CHAR), its UTF-16 unit in hex
 */

#include <windows.h>
#include <stdarg.h>
#include <stdio.h>

enum { kLeft = 40, kTop = 40, kWidth = 320, kHeight = 240 };

static FILE* log_file;
static int ready_written;

static void emit(const char* format, ...) {
    va_list args;
    va_start(args, format);
    vfprintf(log_file, format, args);
    va_end(args);
    fputc('\n', log_file);
    fflush(log_file);
}

static void fill(HDC dc, int x, int y, int w, int h, COLORREF colour) {
    RECT r = {x, y, x + w, y + h};
    HBRUSH brush = CreateSolidBrush(colour);
    FillRect(dc, &r, brush);
    DeleteObject(brush);
}

static void button(const char* name, const char* what, LPARAM lparam) {
    emit("button %s %s %d %d", name, what, kLeft + (short)LOWORD(lparam),
         kTop + (short)HIWORD(lparam));
}

static LRESULT CALLBACK window_proc(HWND window, UINT message, WPARAM wparam, LPARAM lparam) {
    switch (message) {
        case WM_PAINT: {
            PAINTSTRUCT paint;
            HDC dc = BeginPaint(window, &paint);
            fill(dc, 0, 0, kWidth / 2, kHeight / 2, RGB(255, 0, 0));
            fill(dc, kWidth / 2, 0, kWidth / 2, kHeight / 2, RGB(0, 255, 0));
            fill(dc, 0, kHeight / 2, kWidth / 2, kHeight / 2, RGB(0, 0, 255));
            fill(dc, kWidth / 2, kHeight / 2, kWidth / 2, kHeight / 2, RGB(255, 255, 255));
            EndPaint(window, &paint);
            if (!ready_written) {
                ready_written = 1;
                emit("ready");
            }
            return 0;
        }
        case WM_LBUTTONDOWN: button("left", "down", lparam); return 0;
        case WM_LBUTTONUP: button("left", "up", lparam); return 0;
        case WM_MBUTTONDOWN: button("middle", "down", lparam); return 0;
        case WM_MBUTTONUP: button("middle", "up", lparam); return 0;
        case WM_RBUTTONDOWN: button("right", "down", lparam); return 0;
        case WM_RBUTTONUP: button("right", "up", lparam); return 0;
        case WM_MOUSEWHEEL: emit("wheel %d", (short)HIWORD(wparam)); return 0;
        case WM_KEYDOWN:
        case WM_SYSKEYDOWN: emit("keydown %x", (unsigned)wparam); break;
        case WM_KEYUP:
        case WM_SYSKEYUP: emit("keyup %x", (unsigned)wparam); break;
        case WM_CHAR: emit("char %x", (unsigned)wparam); return 0;
        case WM_DESTROY: PostQuitMessage(0); return 0;
    }
    return DefWindowProcW(window, message, wparam, lparam);
}

int wmain(int argc, wchar_t** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: win_vnc_test_window LOG\n");
        return 2;
    }
    log_file = _wfopen(argv[1], L"ab"); /* binary: lines end in \n alone */
    if (log_file == NULL) return 1;

    WNDCLASSW window_class = {0};
    window_class.lpfnWndProc = window_proc;
    window_class.hInstance = GetModuleHandleW(NULL);
    window_class.hCursor = LoadCursorW(NULL, (LPCWSTR)IDC_ARROW);
    window_class.lpszClassName = L"HelplineWinVncTest";
    RegisterClassW(&window_class);
    HWND window = CreateWindowExW(WS_EX_TOPMOST, L"HelplineWinVncTest", L"win_vnc test window",
                                  WS_POPUP | WS_VISIBLE, kLeft, kTop, kWidth, kHeight, NULL, NULL,
                                  window_class.hInstance, NULL);
    if (window == NULL) return 1;
    SetForegroundWindow(window);
    SetFocus(window);
    UpdateWindow(window);

    MSG message;
    while (GetMessageW(&message, NULL, 0, 0) > 0) {
        TranslateMessage(&message);
        DispatchMessageW(&message);
    }
    fclose(log_file);
    return 0;
}
