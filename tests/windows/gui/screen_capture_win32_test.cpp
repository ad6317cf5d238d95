// The Windows screen capture (client/gui/screen_capture_win32.cpp) under Wine: the whole
// desktop without the client's own windows (hidden first, shown again after), one window
// chosen by the next click (seen by the low-level mouse hook, and kept from that window), and
// Esc cancelling the choice. "Another program" is a window of this test that is not hidden.
#include <windows.h>
#include <wx/frame.h>
#include <wx/panel.h>
#include <wx/uiaction.h>

#include <catch2/catch.hpp>
#include <optional>

#include "client/gui/screen_capture.h"
#include "tests/gui/wx_fixture.h"

using namespace helpline::gui;
using namespace helpline::gui::test;
using std::chrono::seconds;

namespace {

const wxColour kRed(0xE0, 0x10, 0x10);
const wxColour kGreen(0x10, 0xC0, 0x10);

/// A window filled with `colour` at `place` on the screen, shown and painted.
wxFrame* coloured_window(const wxColour& colour, const wxRect& place) {
    auto* frame = new wxFrame(nullptr, wxID_ANY, "capture test", place.GetPosition(),
                              place.GetSize(), wxBORDER_NONE);
    frame->SetBackgroundColour(colour);
    auto* panel = new wxPanel(frame, wxID_ANY, wxPoint(0, 0), frame->GetClientSize());
    panel->SetBackgroundColour(colour);
    frame->Show();
    frame->Update();
    REQUIRE(pump_until([&] { return frame->IsShownOnScreen(); }));
    pump_until([] { return false; }, std::chrono::milliseconds(200));  // painted
    return frame;
}

wxColour pixel(const CapturedImage& image, int x, int y) {
    const auto at = (static_cast<std::size_t>(y) * static_cast<std::size_t>(image.width) +
                     static_cast<std::size_t>(x)) *
                    3;
    return {image.rgb[at], image.rgb[at + 1], image.rgb[at + 2]};
}

bool looks_like(const wxColour& a, const wxColour& b) {
    UNSCOPED_INFO("pixel " << a.GetAsString(wxC2S_HTML_SYNTAX) << ", like "
                           << b.GetAsString(wxC2S_HTML_SYNTAX) << "?");
    return std::abs(a.Red() - b.Red()) < 24 && std::abs(a.Green() - b.Green()) < 24 &&
           std::abs(a.Blue() - b.Blue()) < 24;
}

/// Runs a capture to its end; `during` runs once it is choosing a window (window mode).
CaptureOutcome capture(CaptureMode mode, wxTopLevelWindow* own,
                       const std::function<void()>& during = {}) {
    std::optional<CaptureOutcome> outcome;
    ScreenCapture capture(mode, {own}, [&](CaptureOutcome o) { outcome = std::move(o); });
    capture.start();
    if (during) {
        REQUIRE(pump_until([&] { return capture.choosing() || outcome.has_value(); }));
        REQUIRE(capture.choosing());
        during();
    }
    REQUIRE(pump_until([&] { return outcome.has_value(); }, seconds(20)));
    return *outcome;
}

}  // namespace

TEST_CASE("the whole desktop is captured without the client's windows, which come back",
          "[capture]") {
    auto* own = coloured_window(kRed, {60, 60, 240, 160});
    auto* other = coloured_window(kGreen, {420, 60, 240, 160});
    REQUIRE(ScreenCapture::available());

    const CaptureOutcome outcome = capture(CaptureMode::screen, own);
    INFO(outcome.problem);
    REQUIRE(outcome.state == CaptureOutcome::State::captured);
    CHECK(outcome.image.width == ::GetSystemMetrics(SM_CXVIRTUALSCREEN));
    CHECK(outcome.image.height == ::GetSystemMetrics(SM_CYVIRTUALSCREEN));
    const int left = ::GetSystemMetrics(SM_XVIRTUALSCREEN),
              top = ::GetSystemMetrics(SM_YVIRTUALSCREEN);
    CHECK(!looks_like(pixel(outcome.image, 180 - left, 140 - top), kRed));  // hidden
    CHECK(looks_like(pixel(outcome.image, 540 - left, 140 - top), kGreen));
    CHECK(own->IsShown());

    own->Destroy();
    other->Destroy();
}

TEST_CASE("one window: the next click chooses it and does not reach it, Esc cancels", "[capture]") {
    auto* own = coloured_window(kRed, {60, 60, 240, 160});
    auto* other = coloured_window(kGreen, {420, 60, 240, 160});
    int clicks_on_other = 0;
    other->GetChildren().front()->Bind(wxEVT_LEFT_DOWN, [&](wxMouseEvent&) { ++clicks_on_other; });

    wxUIActionSimulator input;
    const CaptureOutcome chosen = capture(CaptureMode::window, own, [&] {
        input.MouseMove(540, 140);
        input.MouseClick();
    });
    INFO(chosen.problem);
    REQUIRE(chosen.state == CaptureOutcome::State::captured);
    // The other window's rectangle (Wine may count a frame around it): green in the middle.
    CHECK(chosen.image.width >= 240);
    CHECK(chosen.image.width <= 260);
    CHECK(chosen.image.height >= 160);
    CHECK(chosen.image.height <= 200);
    CHECK(looks_like(pixel(chosen.image, chosen.image.width / 2, chosen.image.height / 2), kGreen));
    pump_until([] { return false; }, std::chrono::milliseconds(200));
    CHECK(clicks_on_other == 0);
    CHECK(own->IsShown());

    const CaptureOutcome cancelled =
        capture(CaptureMode::window, own, [&] { input.Char(WXK_ESCAPE); });
    CHECK(cancelled.state == CaptureOutcome::State::cancelled);
    CHECK(own->IsShown());

    own->Destroy();
    other->Destroy();
}
