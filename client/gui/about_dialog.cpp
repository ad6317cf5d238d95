#include "client/gui/about_dialog.h"

#include <wx/button.h>
#include <wx/hyperlink.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

#include "client/gui/i18n.h"

namespace helpline::gui {

AboutDialog::AboutDialog(wxWindow* parent, const AboutInfo& info)
    : wxDialog(parent, wxID_ANY, tr("About {brand}", fmt::arg("brand", info.brand))) {
    auto* column = new wxBoxSizer(wxVERTICAL);
    auto* title = new wxStaticText(this, wxID_ANY, wxString::FromUTF8(info.brand));
    title->SetFont(title->GetFont().Scaled(1.4f).Bold());
    column->Add(title, 0, wxALL, FromDIP(16));

    auto* grid = new wxFlexGridSizer(2, FromDIP(6), FromDIP(12));
    const auto row = [&](const wxString& label, const wxString& value) {
        auto* l = new wxStaticText(this, wxID_ANY, label);
        l->SetForegroundColour(wxColour(0x55, 0x55, 0x55));
        grid->Add(l, 0, wxALIGN_RIGHT);
        grid->Add(new wxStaticText(this, wxID_ANY, value), 0);
    };
    row(tr("Version"), wxString::FromUTF8("Helpline " + info.version));
    row(tr("Profile"), tr("{id}, revision {revision}", fmt::arg("id", info.profile_id),
                          fmt::arg("revision", info.profile_revision)));
    // TRANSLATORS: the fingerprint of the key that signed this branded build.
    row(tr("Signed by key"), wxString::FromUTF8(info.key_fingerprint));
    row(tr("Support server"), wxString::FromUTF8(info.server_url));
    column->Add(grid, 0, wxLEFT | wxRIGHT, FromDIP(16));

    auto* log_label = new wxStaticText(
        this, wxID_ANY, tr("What happened to your requests and sessions, for your support team:"));
    column->Add(log_label, 0, wxLEFT | wxRIGHT | wxTOP, FromDIP(16));
    const wxString file = wxString::FromUTF8(info.log_path);
    auto* link = new wxHyperlinkCtrl(this, wxID_ANY, file, "file://" + file);
    link->SetName("log");
    column->Add(link, 0, wxLEFT | wxRIGHT, FromDIP(16));

    auto* close = new wxButton(this, wxID_OK, tr("Close"));
    close->SetDefault();
    column->Add(close, 0, wxALIGN_RIGHT | wxALL, FromDIP(16));
    SetSizerAndFit(column);
    CentreOnParent();
}

}  // namespace helpline::gui
