#include "client/gui/main_frame.h"

#include <wx/button.h>
#include <wx/hyperlink.h>
#include <wx/panel.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>

#include "client/gui/i18n.h"
#include "client/gui/logo.h"

namespace helpline::gui {

wxColour accent_colour(const std::string& hex) {
    wxColour colour;
    if (hex.size() == 7 && colour.Set(wxString::FromUTF8(hex))) return colour;
    return {0x0A, 0x6E, 0xD1};
}

MainFrame::MainFrame(const client::Brand& brand, const std::string& language, Actions actions)
    : wxFrame(nullptr, wxID_ANY, wxString::FromUTF8(brand.profile.name.get(language)),
              wxDefaultPosition, wxDefaultSize, wxDEFAULT_FRAME_STYLE),
      team_(brand.profile.name.get(language)),
      actions_(std::move(actions)) {
    const wxColour accent = accent_colour(brand.profile.appearance.accent);
    const wxString name = wxString::FromUTF8(team_);
    const int pad = FromDIP(16);

    auto* root = new wxPanel(this);
    root->SetBackgroundColour(*wxWHITE);
    auto* column = new wxBoxSizer(wxVERTICAL);

    // Header: logo and name on white (a logo usually carries the accent colour itself),
    // underlined by a band in the brand's accent colour.
    auto* header_row = new wxBoxSizer(wxHORIZONTAL);
    if (const Asset* logo = brand.logo()) {
        const wxBitmapBundle bundle = logo_bundle(*logo, wxSize(64, 64));
        if (bundle.IsOk())
            header_row->Add(new wxStaticBitmap(root, wxID_ANY, bundle), 0,
                            wxALL | wxALIGN_CENTER_VERTICAL, pad);
    }
    auto* title = new wxStaticText(root, wxID_ANY, name);
    title->SetForegroundColour(accent);
    title->SetFont(title->GetFont().Scaled(1.8f).Bold());
    header_row->Add(title, 1, wxALIGN_CENTER_VERTICAL | wxRIGHT, pad);
    column->Add(header_row, 0, wxEXPAND);
    auto* band = new wxPanel(root, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(-1, 4)));
    band->SetBackgroundColour(accent);
    column->Add(band, 0, wxEXPAND);

    const std::string& welcome_text = brand.profile.appearance.welcome.get(language);
    if (!welcome_text.empty()) {
        auto* welcome = new wxStaticText(root, wxID_ANY, wxString::FromUTF8(welcome_text));
        welcome->SetFont(welcome->GetFont().Scaled(1.1f));
        welcome->Wrap(FromDIP(600));
        column->Add(welcome, 0, wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    }

    // The connection to the team server, in words.
    auto* link_row = new wxBoxSizer(wxHORIZONTAL);
    link_dot_ = new wxStaticText(root, wxID_ANY, wxString::FromUTF8("\u25CF"));
    link_row->Add(link_dot_, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(6));
    link_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    link_row->Add(link_, 1, wxALIGN_CENTER_VERTICAL);
    column->Add(link_row, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    notice_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    notice_->SetForegroundColour(wxColour(0x33, 0x33, 0x33));
    notice_->SetFont(notice_->GetFont().Bold());
    column->Add(notice_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    notice_->Hide();

    assistance_ = new wxButton(root, wxID_ANY, tr("Assistance"));
    assistance_->SetFont(assistance_->GetFont().Scaled(1.2f).Bold());
    assistance_->SetToolTip(tr("Ask the support team for help"));
    column->Add(assistance_, 0, wxLEFT | wxTOP, FromDIP(20));
    if (!brand.profile.assistance.enabled) assistance_->Hide();

    auto* heading = new wxStaticText(root, wxID_ANY, tr("My requests"));
    heading->SetFont(heading->GetFont().Scaled(1.15f).Bold());
    column->Add(heading, 0, wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    requests_ = new RequestsView(root);
    requests_->SetMinSize(FromDIP(wxSize(610, 150)));
    column->Add(requests_, 1, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    empty_ = new wxStaticText(root, wxID_ANY,
                              tr("You have not asked for assistance from this computer yet."));
    empty_->SetForegroundColour(wxColour(0x66, 0x66, 0x66));
    column->Add(empty_, 0, wxLEFT | wxRIGHT | wxTOP, FromDIP(20));

    auto* footer = new wxBoxSizer(wxHORIZONTAL);
    footer->AddStretchSpacer();
    auto* about = new wxHyperlinkCtrl(root, wxID_ANY, tr("About {brand}", fmt::arg("brand", team_)),
                                      wxEmptyString);
    footer->Add(about, 0);
    column->Add(footer, 0, wxEXPAND | wxALL, pad);
    root->SetSizer(column);

    auto* frame_sizer = new wxBoxSizer(wxVERTICAL);
    frame_sizer->Add(root, 1, wxEXPAND);
    SetSizerAndFit(frame_sizer);
    Centre();

    assistance_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        if (actions_.assistance) actions_.assistance();
    });
    about->Bind(wxEVT_HYPERLINK, [this](wxHyperlinkEvent&) {
        if (actions_.about) actions_.about();
    });
    set_link_status({client::LinkState::connecting, {}});
    set_requests({});
}

void MainFrame::set_link_status(const client::LinkStatus& status) {
    wxString text;
    wxColour dot;
    switch (status.state) {
        case client::LinkState::connected:
            // TRANSLATORS: {team} is the support team's name.
            text = tr("Connected to {team}", fmt::arg("team", team_));
            dot = wxColour(0x2E, 0xA0, 0x43);
            break;
        case client::LinkState::offline:
            text = tr("Offline \u2014 your requests will be sent when the connection is back");
            dot = wxColour(0xD9, 0x82, 0x1E);
            break;
        case client::LinkState::connecting:
        case client::LinkState::stopped:
            text = tr("Connecting to {team}\u2026", fmt::arg("team", team_));
            dot = wxColour(0x99, 0x99, 0x99);
            break;
    }
    link_->SetLabel(text);
    link_->SetToolTip(wxString::FromUTF8(status.reason));
    link_dot_->SetForegroundColour(dot);
    link_dot_->Refresh();
    Layout();
}

void MainFrame::set_requests(const std::vector<RequestRow>& rows) {
    requests_->show(rows);
    empty_->Show(rows.empty());
    GetChildren().front()->Layout();
}

void MainFrame::set_notice(const wxString& text) {
    notice_->SetLabel(text);
    notice_->Show(!text.empty());
    GetChildren().front()->Layout();
}

void MainFrame::bring_to_front() {
    if (IsIconized()) Iconize(false);
    Show();
    Raise();
    RequestUserAttention();
}

wxString MainFrame::link_text() const {
    return link_->GetLabel();
}
wxString MainFrame::notice_text() const {
    return notice_->IsShown() ? notice_->GetLabel() : wxString();
}

}  // namespace helpline::gui
