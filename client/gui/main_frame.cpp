#include "client/gui/main_frame.h"

#include <wx/button.h>
#include <wx/hyperlink.h>
#include <wx/panel.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>

#include <algorithm>

#include "client/gui/i18n.h"
#include "client/gui/logo.h"

namespace helpline::gui {

namespace {

/// Where the window's running text (the welcome, a notice) wraps, in DIPs.
constexpr int kTextWidth = 600;

/// `text` for Pango markup; a '&' stays a literal one (wx reads "&&" so, and '&' alone as a
/// mnemonic).
wxString escape_markup(const wxString& text) {
    wxString escaped;
    for (const wxUniChar c : text) {
        switch (c.GetValue()) {
            case '&': escaped += "&amp;&amp;"; break;  // "&&": a literal '&', not a mnemonic
            case '<': escaped += "&lt;"; break;
            case '>': escaped += "&gt;"; break;
            case '\'': escaped += "&apos;"; break;
            case '"': escaped += "&quot;"; break;
            default: escaped += c;
        }
    }
    return escaped;
}

/// `text` in Pango markup with the given span attributes. Sizes, weights and colours go
/// through markup rather than SetFont/SetForegroundColour: wxGTK turns each of those into
/// a CSS provider of the widget's own, and styling a dozen of them cost about as much as
/// the rest of showing the window.
wxString span(const wxString& attributes, const wxString& text) {
    return "<span " + attributes + ">" + escape_markup(text) + "</span>";
}

wxString hex_of(const wxColour& colour) {
    return colour.GetAsString(wxC2S_HTML_SYNTAX);
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
    title->SetLabelMarkup(span("size='xx-large' weight='bold' foreground='" + hex_of(accent) + "'", name));
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

    // The connection to the team server, in words.
    link_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    column->Add(link_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    notice_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    column->Add(notice_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    notice_->Hide();

    assistance_ = new wxButton(root, wxID_ANY, tr("Assistance"));
    assistance_->SetLabelMarkup(span("size='large' weight='bold'", tr("Assistance")));
    assistance_->SetToolTip(tr("Ask the support team for help"));
    column->Add(assistance_, 0, wxLEFT | wxTOP, FromDIP(20));
    if (!brand.profile.assistance.enabled) assistance_->Hide();

    auto* heading = new wxStaticText(root, wxID_ANY, wxEmptyString);
    heading->SetLabelMarkup(span("size='large' weight='bold'", tr("My requests")));
    column->Add(heading, 0, wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    requests_slot_ = new wxPanel(root);
    requests_slot_->SetMinSize(FromDIP(wxSize(610, 150)));
    column->Add(requests_slot_, 1, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(20));
    open_hint_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    open_hint_->SetLabelMarkup(span("foreground='#666666'",
                                    tr("Double-click a request to read its messages and reply.")));
    column->AddSpacer(FromDIP(6));
    column->Add(open_hint_, 0, wxLEFT | wxRIGHT, FromDIP(20));
    empty_ = new wxStaticText(root, wxID_ANY, wxEmptyString);
    empty_->SetLabelMarkup(
        span("foreground='#666666'", tr("You have not asked for assistance from this computer yet.")));
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
    // The dot in the state's colour, then the words.
    link_->SetLabelMarkup(span("foreground='" + hex_of(dot) + "'", wxString::FromUTF8("\u25CF")) +
                          "  " + escape_markup(text));
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
    GetChildren().front()->Layout();
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
