#include "client/gui/main_frame.h"

#include <wx/button.h>
#include <wx/panel.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>

#include "client/gui/logo.h"

namespace helpline::gui {

wxColour accent_colour(const std::string& hex) {
    wxColour colour;
    if (hex.size() == 7 && colour.Set(wxString::FromUTF8(hex))) return colour;
    return {0x0A, 0x6E, 0xD1};
}

MainFrame::MainFrame(const client::Brand& brand, const std::string& language)
    : wxFrame(nullptr, wxID_ANY, wxString::FromUTF8(brand.profile.name.get(language)),
              wxDefaultPosition, wxDefaultSize, wxDEFAULT_FRAME_STYLE) {
    const wxColour accent = accent_colour(brand.profile.appearance.accent);
    const wxString name = wxString::FromUTF8(brand.profile.name.get(language));

    auto* root = new wxPanel(this);
    root->SetBackgroundColour(*wxWHITE);
    auto* column = new wxBoxSizer(wxVERTICAL);

    // Header: logo and name on white (a logo usually carries the accent colour itself),
    // underlined by a band in the brand's accent colour.
    auto* header_row = new wxBoxSizer(wxHORIZONTAL);
    if (const Asset* logo = brand.logo()) {
        const wxBitmapBundle bundle = logo_bundle(*logo, FromDIP(wxSize(64, 64)));
        if (bundle.IsOk())
            header_row->Add(new wxStaticBitmap(root, wxID_ANY, bundle), 0,
                            wxALL | wxALIGN_CENTER_VERTICAL, FromDIP(16));
    }
    auto* title = new wxStaticText(root, wxID_ANY, name);
    title->SetForegroundColour(accent);
    title->SetFont(title->GetFont().Scaled(1.8f).Bold());
    header_row->Add(title, 1, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(16));
    column->Add(header_row, 0, wxEXPAND);
    auto* band = new wxPanel(root, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(-1, 4)));
    band->SetBackgroundColour(accent);
    column->Add(band, 0, wxEXPAND);

    const std::string& welcome_text = brand.profile.appearance.welcome.get(language);
    if (!welcome_text.empty()) {
        auto* welcome = new wxStaticText(root, wxID_ANY, wxString::FromUTF8(welcome_text));
        welcome->SetFont(welcome->GetFont().Scaled(1.15f));
        welcome->Wrap(FromDIP(380));
        column->Add(welcome, 0, wxALL, FromDIP(20));
    }
    column->AddSpacer(FromDIP(8));
    root->SetSizer(column);

    // As tall as the content, at a comfortable width.
    auto* frame_sizer = new wxBoxSizer(wxVERTICAL);
    frame_sizer->Add(root, 1, wxEXPAND);
    root->SetMinSize(FromDIP(wxSize(440, -1)));
    SetSizerAndFit(frame_sizer);
    Centre();
}

}  // namespace helpline::gui
