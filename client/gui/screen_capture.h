#pragma once
// "Add a screenshot": the client takes the picture itself — the whole desktop, or one window
// the customer chooses by clicking on it (Esc or the right button cancels) — with its own
// windows out of the way: they are hidden first, and the picture is taken only once the X
// server has unmapped every one of them (polled, with a deadline) and the screen has stopped
// changing (two equal grabs in a row, with a deadline: the windows that were under them
// repaint themselves, or a compositor draws its next frame). Then the windows come back.
//
// X11 (screen_capture_x11.cpp): on a Wayland desktop a program cannot read the screen, and
// available() is false; the form then has no screenshot button. Windows
// (screen_capture_win32.cpp): GDI, and low-level hooks for the click that chooses a window.
// Main thread only: it works from a timer and an X event filter or the hooks (which run on
// the main thread's message loop), never blocking the loop.

#include <wx/event.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

class wxTopLevelWindow;

namespace helpline::gui {

enum class CaptureMode {
    screen,  ///< the whole desktop (every monitor)
    window,  ///< the window the customer clicks on next
};

/// A picture as plain bytes (RGB, 3 bytes a pixel, rows top to bottom): it may be handed
/// to a worker thread, which a wxImage (reference counted without locks) may not.
struct CapturedImage {
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgb;
    bool empty() const { return width <= 0 || height <= 0; }
};

struct CaptureOutcome {
    enum class State { captured, cancelled, failed };
    State state = State::failed;
    CapturedImage image;
    std::string problem;  ///< failed: why, in English, for the log
};

struct CaptureTiming {
    /// How long the X server (or Windows) may take to take the client's windows away.
    std::chrono::milliseconds hide_deadline{3'000};
    /// How long the screen may keep changing before the picture is taken anyway.
    std::chrono::milliseconds settle_deadline{1'000};
    /// How long the customer may take to click on a window.
    std::chrono::milliseconds choose_deadline{60'000};
    std::chrono::milliseconds poll{10};
    /// The screen counts as settled once two grabs this far apart are equal.
    std::chrono::milliseconds settle_step{40};
};

class ScreenCapture : public wxEvtHandler {
  public:
    /// Called once, on the main loop, when the windows are back; it may destroy the capture.
    using Done = std::function<void(CaptureOutcome)>;

    /// Whether the client can read the screen here (an X11 display; always on Windows).
    static bool available();

    /// `hide`: the client's windows to take out of the picture (those not shown are left).
    ScreenCapture(CaptureMode mode, std::vector<wxTopLevelWindow*> hide, Done done,
                  CaptureTiming timing = {});
    /// A capture still under way ends: grabs released, windows shown again, Done not called.
    ~ScreenCapture() override;
    ScreenCapture(const ScreenCapture&) = delete;
    ScreenCapture& operator=(const ScreenCapture&) = delete;

    void start();
    /// Window mode: the pointer is grabbed, waiting for the customer's click.
    bool choosing() const;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace helpline::gui
