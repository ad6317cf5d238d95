#pragma once
// What the GUI client tests do as a person would — click, type, read what a window shows —
// and what they need installed (missing tools fail the test, with how to install them).

#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/uiaction.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "client/core/spawn.h"
#include "client/gui/client.h"
#include "tests/gui/wx_fixture.h"

namespace helpline::gui::test {

inline void click(wxWindow* window) {
    REQUIRE(pump_until([&] { return window->IsShownOnScreen() && window->IsEnabled(); }));
    wxUIActionSimulator sim;
    sim.MouseMove(centre_of(window));
    pump_until([] { return false; }, std::chrono::milliseconds(50));
    sim.MouseClick();
}

/// Clicks `window` until `done` holds: a click that lands while the window is still being
/// placed or painted is lost, as it would be for a person, who clicks again. Returns when
/// the click that had its effect was made (to time what follows it).
inline std::chrono::steady_clock::time_point click_until(wxWindow* window,
                                                         const std::function<bool()>& done) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        click(window);
        const auto clicked = std::chrono::steady_clock::now();
        if (pump_until(done, std::chrono::milliseconds(1500))) return clicked;
    }
    FAIL("clicking did not have its effect");
    return {};
}

/// Types `text` into `field` as a person would (focus, keys).
inline void type_into(wxTextCtrl* field, const std::string& text) {
    click(field);
    REQUIRE(pump_until([&] { return field->HasFocus(); }));
    wxUIActionSimulator sim;
    sim.Text(text.c_str());
    REQUIRE(pump_until([&] { return field->GetValue() == wxString::FromUTF8(text); }));
}

inline bool rows_have(Client& client, const std::function<bool(const RequestRow&)>& match) {
    for (const auto& row : client.frame()->requests_view()->rows())
        if (match(row)) return true;
    return false;
}

/// The labels of `root` and everything inside it, in order (lines wrapped to fit joined
/// again with spaces).
inline std::vector<wxString> labels_in(wxWindow* root) {
    std::vector<wxString> out;
    for (wxWindow* child : root->GetChildren()) {
        if (auto* label = dynamic_cast<wxStaticText*>(child)) {
            wxString text = label->GetLabelText();
            text.Replace("\n", " ");
            out.push_back(text);
        }
        for (const auto& inner : labels_in(child)) out.push_back(inner);
    }
    return out;
}

/// Whether a label of `root` reads exactly `text`.
inline bool shows_label(wxWindow* root, const wxString& text) {
    for (const auto& l : labels_in(root))
        if (l == text) return true;
    return false;
}

/// Fails (never skips) when a program the test needs is missing.
inline void require_installed(const std::string& program, const std::string& package) {
    if (!client::find_executable(program))
        FAIL(program << " is not installed: apt-get install -y " << package
                     << " (scripts/test installs it)");
}

}  // namespace helpline::gui::test
