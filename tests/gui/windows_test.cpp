// What the main window and the session bar say, word for word: the connection state (and
// its tooltip, in the customer's words, without the technical reason) and who can see and
// control this computer.
#include <wx/button.h>
#include <wx/weakref.h>

#include <catch2/catch.hpp>

#include "client/gui/main_frame.h"
#include "client/gui/session_bar.h"
#include "tests/gui/client_actions.h"
#include "tests/gui/demo_profile.h"

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;

TEST_CASE("the main window says how the connection to the team is, in words", "[windows]") {
    const auto brand = demo_brand_with();
    auto* frame = new MainFrame(brand, "en");
    frame->Show();
    CHECK(frame->link_text() == wxString::FromUTF8("Connecting to Demo Support\u2026"));

    frame->set_link_status({client::LinkState::connected, {}});
    CHECK(frame->link_text() == "Connected to Demo Support");
    CHECK(frame->link_tooltip() ==
          "Your requests and the support team's connection requests arrive through this "
          "connection.");

    const std::string reason =
        "The support server http://127.0.0.1:9 cannot be reached (Couldn't connect to server).";
    frame->set_link_status({client::LinkState::offline, reason});
    CHECK(frame->link_text() ==
          wxString::FromUTF8(
              "Offline \u2014 your requests will be sent when the connection is back"));
    CHECK(frame->link_tooltip() ==
          "The support server cannot be reached right now; the client keeps trying. Requests "
          "you send meanwhile are saved on this computer. The log (see About) says why.");
    frame->Destroy();
}

TEST_CASE("a long notice wraps inside the window instead of widening it past its text",
          "[windows]") {
    const auto brand = demo_brand_with();
    auto* frame = new MainFrame(brand, "pt");
    frame->Show();
    const int width = frame->GetBestSize().GetWidth();
    const wxString notice = wxString::FromUTF8(
        "N\u00e3o foi poss\u00edvel ligar a sess\u00e3o remota ao servidor de suporte: Neste "
        "momento n\u00e3o \u00e9 poss\u00edvel contactar o servidor de suporte. A sess\u00e3o "
        "terminou.");
    frame->set_notice(notice);
    CHECK(frame->notice_text() == notice);  // the words as set, whatever the line breaks
    CHECK(frame->GetBestSize().GetWidth() <= width);
    frame->set_notice({});
    CHECK(frame->notice_text().empty());
    frame->Destroy();
}

TEST_CASE("the session bar says who can see and control this computer; End session ends it",
          "[windows]") {
    int ended = 0;
    wxWeakRef<SessionBar> bar = new SessionBar("Ana Costa", wxColour(0x0A, 0x6E, 0xD1), [&] { ++ended; });
    bar->Show();
    CHECK(bar->text() == "Ana Costa can see and control this computer");
    CHECK(bar->GetTitle() == "Remote session");
    CHECK(bar->HasFlag(wxSTAY_ON_TOP));
    REQUIRE(bar->end_button() != nullptr);
    CHECK(bar->end_button()->GetLabel() == "End session");
    click_until(bar->end_button(), [&] { return ended > 0; });
    CHECK(ended == 1);
    CHECK(pump_until([&] { return !bar; }));
}
