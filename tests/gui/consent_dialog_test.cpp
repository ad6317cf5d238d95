// The consent dialog under a real X server: Allow only after the delay, no answer means
// no, closing means no, one answer only.
#include <catch2/catch.hpp>
#include <wx/button.h>
#include <wx/uiaction.h>

#include <optional>

#include "client/gui/consent_dialog.h"
#include "tests/gui/wx_fixture.h"

using namespace helpline::gui;
using helpline::gui::test::pump_until;

namespace {

ConsentInfo sample(std::chrono::milliseconds lifetime, std::chrono::milliseconds allow_delay) {
    ConsentInfo info;
    info.team = "Demo Support";
    info.operator_name = "Ana Costa";
    info.ticket_number = 1042;
    info.deadline = std::chrono::steady_clock::now() + lifetime;
    info.allow_delay = allow_delay;
    return info;
}

struct Answer {
    std::optional<bool> allowed;
    int calls = 0;
};

}  // namespace

TEST_CASE("Allow is disabled at first and enabled after the delay, Decline is the default") {
    Answer a;
    auto* dialog = new ConsentDialog(nullptr, sample(std::chrono::seconds(30), std::chrono::milliseconds(400)),
                                     [&](bool allowed) { a.allowed = allowed, ++a.calls; });
    dialog->Show();
    auto* allow = dynamic_cast<wxButton*>(dialog->FindWindow(wxID_OK));
    auto* decline = dynamic_cast<wxButton*>(dialog->FindWindow(wxID_CANCEL));
    REQUIRE(allow != nullptr);
    REQUIRE(decline != nullptr);
    CHECK_FALSE(allow->IsEnabled());
    CHECK(decline->IsEnabled());
    CHECK(dialog->GetDefaultItem() == decline);
    CHECK(pump_until([&] { return allow->IsEnabled(); }, std::chrono::seconds(5)));
    dialog->cancel();
    CHECK(a.calls == 0);
}

TEST_CASE("clicking Allow once it is enabled allows, exactly once") {
    Answer a;
    auto* dialog = new ConsentDialog(nullptr, sample(std::chrono::seconds(30), std::chrono::milliseconds(300)),
                                     [&](bool allowed) { a.allowed = allowed, ++a.calls; });
    dialog->Show();
    auto* allow = dynamic_cast<wxButton*>(dialog->FindWindow(wxID_OK));
    REQUIRE(pump_until([&] { return allow->IsShownOnScreen() && allow->IsEnabled(); }));
    wxUIActionSimulator sim;
    sim.MouseMove(helpline::gui::test::centre_of(allow));
    sim.MouseClick();
    REQUIRE(pump_until([&] { return a.calls > 0; }));
    CHECK(a.allowed == true);
    CHECK(a.calls == 1);
}

TEST_CASE("a click on Allow before the delay does nothing") {
    Answer a;
    auto* dialog = new ConsentDialog(nullptr, sample(std::chrono::seconds(30), std::chrono::seconds(20)),
                                     [&](bool allowed) { a.allowed = allowed, ++a.calls; });
    dialog->Show();
    auto* allow = dynamic_cast<wxButton*>(dialog->FindWindow(wxID_OK));
    REQUIRE(pump_until([&] { return allow->IsShownOnScreen(); }));
    wxUIActionSimulator sim;
    sim.MouseMove(helpline::gui::test::centre_of(allow));
    sim.MouseClick();
    CHECK_FALSE(pump_until([&] { return a.calls > 0; }, std::chrono::milliseconds(500)));
    dialog->cancel();
}

TEST_CASE("no answer before the deadline is a decline") {
    Answer a;
    auto* dialog = new ConsentDialog(nullptr, sample(std::chrono::milliseconds(600), std::chrono::milliseconds(100)),
                                     [&](bool allowed) { a.allowed = allowed, ++a.calls; });
    dialog->Show();
    REQUIRE(pump_until([&] { return a.calls > 0; }, std::chrono::seconds(10)));
    CHECK(a.allowed == false);
}

TEST_CASE("closing the dialog or pressing Escape declines") {
    Answer closed, escaped;
    auto* first = new ConsentDialog(nullptr, sample(std::chrono::seconds(30), std::chrono::milliseconds(100)),
                                    [&](bool allowed) { closed.allowed = allowed, ++closed.calls; });
    first->Show();
    first->Close();
    REQUIRE(pump_until([&] { return closed.calls > 0; }));
    CHECK(closed.allowed == false);

    auto* second = new ConsentDialog(nullptr, sample(std::chrono::seconds(30), std::chrono::milliseconds(100)),
                                     [&](bool allowed) { escaped.allowed = allowed, ++escaped.calls; });
    second->Show();
    // Escape is the dialog's escape id: the same command a key press sends.
    wxCommandEvent esc(wxEVT_BUTTON, wxID_CANCEL);
    second->GetEventHandler()->ProcessEvent(esc);
    REQUIRE(pump_until([&] { return escaped.calls > 0; }));
    CHECK(escaped.allowed == false);
    CHECK(escaped.calls == 1);
}
