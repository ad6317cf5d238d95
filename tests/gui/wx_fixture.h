#pragma once
// Runs Catch2 tests inside a live wx application (under Xvfb: see CMakeLists.txt) and
// pumps its event loop until a condition holds or a deadline passes.

#include <wx/app.h>
#include <wx/evtloop.h>
#include <wx/window.h>

#include <chrono>
#include <thread>

namespace helpline::gui::test {

/// Processes wx events until `predicate` holds or `timeout` passes; returns its last answer.
template <typename Predicate>
bool pump_until(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (predicate()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        wxTheApp->ProcessPendingEvents();
        wxEventLoopBase::GetActive()->YieldFor(wxEVT_CATEGORY_ALL);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

/// The centre of a window in screen coordinates (for wxUIActionSimulator).
inline wxPoint centre_of(wxWindow* w) {
    const wxRect r = w->GetScreenRect();
    return {r.x + r.width / 2, r.y + r.height / 2};
}

}  // namespace helpline::gui::test
