#pragma once
// What the screen captures of every platform share (screen_capture.cpp): the state, the
// settling of the picture, the ending (windows shown again, Done called last). Each
// platform's file (screen_capture_x11.cpp, screen_capture_win32.cpp) derives its own Impl,
// which hides the windows, watches the customer's choice and reads the screen. Internal to
// client/gui.

#include <wx/timer.h>
#include <wx/toplevel.h>
#include <wx/weakref.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/gui/screen_capture.h"

namespace helpline::gui {

struct ScreenCapture::Impl {
    enum class Phase { idle, hiding, grabbing, choosing, settling, finished };
    using Clock = std::chrono::steady_clock;

    explicit Impl(ScreenCapture* o) : owner(o), timer(o) {}
    virtual ~Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    /// Hides the windows and starts the phases (the platform's).
    virtual void start() = 0;
    /// The next step of the current phase, on the timer (the platform's).
    virtual void tick() = 0;
    /// Lets the pointer and keyboard go, if they were held to choose a window.
    virtual void release_input() = 0;
    /// The screen's pixels in (x, y, width, height); nullopt when the system gave none.
    virtual std::optional<CapturedImage> grab() const = 0;
    /// What is said when grab() gives nothing ("The X server did not give …").
    virtual std::string grab_problem() const = 0;
    /// Narrows what is captured to the chosen window (crop()); false when it went away.
    virtual bool region_of_chosen() = 0;
    /// The platform's handles of the hidden windows are no longer needed.
    virtual void forget_hidden() {}

    /// Narrows what is captured to its overlap with [left, right) × [top, bottom) (a chosen
    /// window's rectangle); false when they do not overlap.
    bool crop(int left, int top, int right, int bottom);
    void schedule(std::chrono::milliseconds delay);
    /// The windows are not all hidden yet: looks again soon, or fails past the deadline.
    void still_hiding();
    /// Waits for the customer's click (the input is watched already).
    void begin_choosing();
    /// The customer chose (a window, or to cancel): the input is let go, then the picture.
    void take_choice(CaptureOutcome::State choice);
    void begin_settling();
    /// The settling phase's step: grabs, and ends with the picture once two grabs in a row
    /// are equal (the windows under the client's have repainted) or the deadline passed.
    void settle();
    void show_again();
    void fail(const std::string& problem);
    void finish_cancelled();
    void finish(CaptureOutcome outcome);

    ScreenCapture* owner = nullptr;
    CaptureMode mode = CaptureMode::screen;
    Done done;
    CaptureTiming timing;
    Phase phase = Phase::idle;
    wxTimer timer;
    Clock::time_point deadline;
    std::vector<wxWeakRef<wxTopLevelWindow>> hidden;
    wxWeakRef<wxTopLevelWindow> active;
    int x = 0, y = 0, width = 0, height = 0;  ///< what is captured, in screen pixels
    CapturedImage last;
};

/// The platform's Impl for `owner`.
std::unique_ptr<ScreenCapture::Impl> make_capture_impl(ScreenCapture* owner);

}  // namespace helpline::gui
