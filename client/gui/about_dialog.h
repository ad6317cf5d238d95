#pragma once
// About: what this build is and whom it talks to — version, brand, the fingerprint of
// the key that signed the stamp (to read out to the support team), the server, and a link
// to the client's log (client.log: what went wrong, in the words a support team reads).

#include <wx/dialog.h>

#include <string>

namespace helpline::gui {

struct AboutInfo {
    std::string brand;             ///< localized brand name
    std::string version;           ///< client version
    std::string profile_id;
    long long profile_revision = 0;
    std::string key_fingerprint;   ///< short form, "3f2a 9c01 77de 0b44"
    std::string server_url;
    std::string log_path;          ///< client.log
};

class AboutDialog : public wxDialog {
public:
    AboutDialog(wxWindow* parent, const AboutInfo& info);
};

}  // namespace helpline::gui
