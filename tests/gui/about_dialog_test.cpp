// About names the build, the signing key's fingerprint, the server and links the client's log.
#include <catch2/catch.hpp>
#include <wx/hyperlink.h>
#include <wx/stattext.h>

#include "client/gui/about_dialog.h"

using namespace helpline::gui;

namespace {

bool shows_text(wxWindow* root, const wxString& text) {
    for (wxWindow* child : root->GetChildren()) {
        if (auto* label = dynamic_cast<wxStaticText*>(child); label && label->GetLabel().Contains(text)) return true;
        if (auto* link = dynamic_cast<wxHyperlinkCtrl*>(child); link && link->GetLabel().Contains(text)) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("About shows the version, the profile, the key fingerprint, the server and links the log") {
    const std::string log = "/home/ana/.local/state/helpline/demo-support/client.log";
    AboutInfo info{"Demo Support", "0.1.0", "demo-support", 3, "ac4b af92 cfe6 ccdc",
                   "https://support.demo.example:8443", log};
    auto* dialog = new AboutDialog(nullptr, info);
    CHECK(dialog->GetTitle() == "About Demo Support");
    CHECK(shows_text(dialog, "Helpline 0.1.0"));
    CHECK(shows_text(dialog, "demo-support, revision 3"));
    CHECK(shows_text(dialog, "ac4b af92 cfe6 ccdc"));
    CHECK(shows_text(dialog, "https://support.demo.example:8443"));
    // The link opens client.log itself, not the folder it is in.
    auto* link = dynamic_cast<wxHyperlinkCtrl*>(dialog->FindWindow("log"));
    REQUIRE(link != nullptr);
    CHECK(link->GetLabel() == log);
    CHECK(link->GetURL() == "file://" + log);
    dialog->Destroy();
}
