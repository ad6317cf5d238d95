#include "client/gui/main_frame.h"

#include <wx/button.h>
#include <wx/hyperlink.h>
#include <wx/panel.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>

#include <algorithm>

#include "client/gui/i18n.h"
#include "client/gui/label_style.h"
#include "client/gui/logo.h"

namespace helpline::gui {

namespace {

/// Where the window's running text (the welcome, a notice) wraps, in DIPs.
constexpr int kTextWidth = 600;

/// `text` in Pango markup with the given span attributes, for a button (which takes markup on
/// GTK and Windows alike; labels go through set_label()).
wxString span(const wxString& attributes, const wxString& text) {
    return "<span " + attributes + ">" + escape_markup(text) + "</span>";
}

}  // namespace

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
    auto* title = new wxStaticText(root, wxID_ANY, wxEmptyString);
    set_label(title, name, {LabelStyle::Size::xx_large, true, accent});
    header_row->Add(title, 1, wxALIGN_CENTER_VERTICAL | wxRIGHT, pad);
    column->Add(header_row, 0, wxEXPAND);
    auto* band = new wxPanel(root, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(-1, 4)));
    band->SetBackgroundColour(accent);
    column->Add(band, 0, wxEXPAND);

    const std::string& welcome_text = brand.profile.appearance.welcome.get(language);
    if (!welcome_text.empty()) {
        auto* welcome = new wxStaticText(root, wxID_ANY, wxString::FromUTF8(welcome_text));
        welcome->SetFont(welcome->GetFont().Scaled(1.1f));
        welcome->Wrap(FromDIP(kTextWidth));
        column->Add(welcome, 0, wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    }

    // The connection to the team server: a dot in the state's colour, then words.
    auto* link_row = new wxBoxSizer(wxHORIZONTAL);
    link_dot_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    link_row->Add(link_dot_, 0, wxRIGHT, FromDIP(8));
    link_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    link_row->Add(link_, 1);
    column->Add(link_row, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    notice_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    column->Add(notice_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    notice_->Hide();

    assistance_ = new wxButton(root, wxID_ANY, tr("Assistance"));
    assistance_->SetLabelMarkup(span("size='large' weight='bold'", tr("Assistance")));
    assistance_->SetToolTip(tr("Ask the support team for help"));
    column->Add(assistance_, 0, wxLEFT | wxTOP, FromDIP(20));
    if (!brand.profile.assistance.enabled) assistance_->Hide();

    auto* heading = new wxStaticText(root, wxID_ANY, wxEmptyString);
    set_label(heading, tr("My requests"), {LabelStyle::Size::large, true, {}});
    column->Add(heading, 0, wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    requests_slot_ = new wxPanel(root);
    requests_slot_->SetMinSize(FromDIP(wxSize(610, 150)));
    column->Add(requests_slot_, 1, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    open_hint_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    const LabelStyle quiet{LabelStyle::Size::normal, false, wxColour(0x66, 0x66, 0x66)};
    set_label(open_hint_, tr("Double-click a request to read its messages and reply."), quiet);
    column->AddSpacer(FromDIP(6));
    column->Add(open_hint_, 0, wxLEFT | wxRIGHT, FromDIP(20));
    empty_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    set_label(empty_, tr("You have not asked for assistance from this computer yet."), quiet);
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
    // What a customer comes here for: Space (or Enter) asks for assistance at once.
    if (brand.profile.assistance.enabled) assistance_->SetFocus();

    assistance_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        if (actions_.assistance) actions_.assistance();
    });
    about->Bind(wxEVT_HYPERLINK, [this](wxHyperlinkEvent&) {
        if (actions_.about) actions_.about();
    });
    set_link_status({client::LinkState::connecting, {}});
    set_requests({});
    CallAfter([this] { (void)requests_view(); });
}

RequestsView* MainFrame::requests_view() {
    if (requests_ != nullptr) return requests_;
    wxWindow* root = requests_slot_->GetParent();
    requests_ = new RequestsView(root, [this](long long number) {
        if (actions_.open_request) actions_.open_request(number);
    });
    requests_->SetMinSize(requests_slot_->GetMinSize());
    root->GetSizer()->Replace(requests_slot_, requests_);
    requests_slot_->Destroy();
    requests_slot_ = nullptr;
    requests_->show(rows_);
    root->Layout();
    return requests_;
}

void MainFrame::set_link_status(const client::LinkStatus& status) {
    wxString text;
    wxString tip;
    wxColour dot;
    // The reason of status is the core's English detail: it is in client.log, not here.
    switch (status.state) {
        case client::LinkState::connected:
            // TRANSLATORS: {team} is the support team's name.
            text = tr("Connected to {team}", fmt::arg("team", team_));
            tip = tr("Your requests and the support team's connection requests arrive through "
                     "this connection.");
            dot = wxColour(0x2E, 0xA0, 0x43);
            break;
        case client::LinkState::offline:
            text = tr("Offline \u2014 your requests will be sent when the connection is back");
            tip = tr("The support server cannot be reached right now; the client keeps trying. "
                     "Requests you send meanwhile are saved on this computer. The log (see "
                     "About) says why.");
            dot = wxColour(0xD9, 0x82, 0x1E);
            break;
        case client::LinkState::connecting:
        case client::LinkState::stopped:
            text = tr("Connecting to {team}\u2026", fmt::arg("team", team_));
            tip = tr("Contacting the support server.");
            dot = wxColour(0x99, 0x99, 0x99);
            break;
    }
    link_words_ = text;
    set_label(link_dot_, wxString::FromUTF8("\u25CF"), {LabelStyle::Size::normal, false, dot});
    link_->SetLabelText(text);
    link_dot_->SetToolTip(tip);
    link_->SetToolTip(tip);
    Layout();
}

void MainFrame::set_requests(const std::vector<RequestRow>& rows) {
    rows_ = rows;
    if (requests_ != nullptr || !rows.empty()) requests_view()->show(rows);
    empty_->Show(rows.empty());
    open_hint_->Show(std::any_of(rows.begin(), rows.end(), [](const auto& r) { return r.number > 0; }));
    GetChildren().front()->Layout();
}

void MainFrame::set_notice(const wxString& text) {
    // A failure can be a long sentence: it wraps at the welcome text's width. Wrap() works on
    // a plain label (it would drop markup), so the notice is styled through its font, once,
    // when the first notice comes (after start-up, so the first paint does not pay for it).
    if (notice_->GetFont().GetWeight() < wxFONTWEIGHT_BOLD) {
        notice_->SetFont(notice_->GetFont().Bold());
        notice_->SetForegroundColour(wxColour(0x33, 0x33, 0x33));
    }
    notice_words_ = text;
    notice_->SetLabelText(text);
    notice_->Wrap(FromDIP(kTextWidth));
    notice_->Show(!text.empty());
    // Everything below the notice moves: painted again whole (Wine copied stale pixels of
    // the moved list's header otherwise).
    GetChildren().front()->Layout();
    GetChildren().front()->Refresh();
}

void MainFrame::bring_to_front() {
    if (IsIconized()) Iconize(false);
    Show();
    Raise();
    RequestUserAttention();
}

wxString MainFrame::link_text() const {
    return link_words_;
}
wxString MainFrame::link_tooltip() const {
    return link_->GetToolTipText();
}
wxString MainFrame::notice_text() const {
    return notice_->IsShown() ? notice_words_ : wxString();
}

}  // namespace helpline::gui
