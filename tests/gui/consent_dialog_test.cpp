// The consent dialog under a real X server: what it says, Allow only after the delay, no
// answer means no, closing and the Escape key mean no, one answer only.
#include <catch2/catch.hpp>
#include <wx/button.h>
#include <wx/uiaction.h>

#include <optional>

#include "client/gui/consent_dialog.h"
#include "tests/gui/client_actions.h"
#include "tests/gui/wx_fixture.h"

using namespace helpline::gui;
using helpline::gui::test::pump_until;
using helpline::gui::test::shows_label;

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

TEST_CASE("closing the dialog declines") {
    Answer closed;
    auto* first = new ConsentDialog(nullptr, sample(std::chrono::seconds(30), std::chrono::milliseconds(100)),
                                    [&](bool allowed) { closed.allowed = allowed, ++closed.calls; });
    first->Show();
    first->Close();
    REQUIRE(pump_until([&] { return closed.calls > 0; }));
    CHECK(closed.allowed == false);
    CHECK(closed.calls == 1);
}

TEST_CASE("pressing the Escape key declines") {
    Answer escaped;
    auto* dialog = new ConsentDialog(nullptr, sample(std::chrono::seconds(30), std::chrono::milliseconds(100)),
                                     [&](bool allowed) { escaped.allowed = allowed, ++escaped.calls; });
    dialog->Show();
    auto* decline = dialog->FindWindow(wxID_CANCEL);
    REQUIRE(pump_until([&] { return dialog->IsShownOnScreen() && decline->HasFocus(); }));
    // A real key press through the X server (XTest); without a window manager the key goes
    // to the window under the pointer, so the pointer rests on the dialog's text.
    wxUIActionSimulator sim;
    for (int attempt = 0; attempt < 5 && escaped.calls == 0; ++attempt) {
        wxPoint inside = dialog->GetScreenRect().GetTopLeft() + wxPoint(20, 20);
        sim.MouseMove(inside);
        pump_until([] { return false; }, std::chrono::milliseconds(50));
        sim.Char(WXK_ESCAPE);
        pump_until([&] { return escaped.calls > 0; }, std::chrono::milliseconds(1000));
    }
    REQUIRE(escaped.calls == 1);
    CHECK(escaped.allowed == false);
}

TEST_CASE("the dialog names the team, the operator and the ticket, says what allowing means and counts down") {
    Answer a;
    auto* dialog = new ConsentDialog(nullptr, sample(std::chrono::seconds(30), std::chrono::milliseconds(100)),
                                     [&](bool allowed) { a.allowed = allowed, ++a.calls; });
    dialog->Show();
    CHECK(dialog->GetTitle() == "Remote assistance request");
    CHECK(dialog->HasFlag(wxSTAY_ON_TOP));
    CHECK(shows_label(dialog, "Ana Costa from Demo Support asks to connect to this computer"));
    CHECK(shows_label(dialog, "For your request number 1042."));
    CHECK(shows_label(dialog,
                      "If you allow it, Ana Costa can see and control this computer until you end "
                      "the session. You can end it at any moment."));
    CHECK((shows_label(dialog, "Declined automatically in 29 s.") ||
           shows_label(dialog, "Declined automatically in 30 s.")));
    // The countdown goes on.
    CHECK(pump_until([&] { return shows_label(dialog, "Declined automatically in 28 s."); },
                     std::chrono::seconds(4)));
    dialog->cancel();
    CHECK(a.calls == 0);
}

TEST_CASE("in production the dialog and the consent machine wait the same 1.5 s for Allow") {
    CHECK(helpline::client::kAllowDelay == std::chrono::milliseconds(1500));
    CHECK(ConsentInfo{}.allow_delay == helpline::client::kAllowDelay);
    CHECK(helpline::client::ConsentOptions{}.min_allow_delay == helpline::client::kAllowDelay);
}
