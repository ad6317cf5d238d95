#include "client/gui/consent_dialog.h"

#include <wx/button.h>
#include <wx/gauge.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

#include "client/gui/i18n.h"

namespace helpline::gui {

ConsentDialog::ConsentDialog(wxWindow* parent, ConsentInfo info, std::function<void(bool)> on_answer)
    : wxDialog(parent, wxID_ANY, tr("Remote assistance request"), wxDefaultPosition, wxDefaultSize,
               wxCAPTION | wxCLOSE_BOX | wxSTAY_ON_TOP),
      info_(std::move(info)),
      on_answer_(std::move(on_answer)),
      shown_at_(std::chrono::steady_clock::now()),
      timer_(this) {
    auto* column = new wxBoxSizer(wxVERTICAL);
    auto* headline = new wxStaticText(
        this, wxID_ANY,
        // TRANSLATORS: {operator} is a person's name, {team} the support team's name.
        tr("{operator} from {team} asks to connect to this computer", fmt::arg("operator", info_.operator_name),
           fmt::arg("team", info_.team)));
    headline->SetFont(headline->GetFont().Scaled(1.25f).Bold());
    headline->Wrap(FromDIP(420));
    column->Add(headline, 0, wxALL, FromDIP(16));

    auto* ticket = new wxStaticText(this, wxID_ANY,
                                    tr("For your request number {number}.", fmt::arg("number", info_.ticket_number)));
    column->Add(ticket, 0, wxLEFT | wxRIGHT, FromDIP(16));

    auto* meaning = new wxStaticText(
        this, wxID_ANY,
        tr("If you allow it, {operator} can see and control this computer until you end the session. "
           "You can end it at any moment.",
           fmt::arg("operator", info_.operator_name)));
    meaning->Wrap(FromDIP(420));
    column->Add(meaning, 0, wxALL, FromDIP(16));

    if (info_.desktop_asks_next) {
        auto* next = new wxStaticText(
            this, wxID_ANY,
            // TRANSLATORS: the desktop's own dialog (GNOME, KDE) follows. "Allow remote
            // interaction" and "Share" are GNOME's words: use GNOME's translation of them.
            // (wlroots desktops such as sway share without asking: "may").
            tr("After you allow it, your desktop may ask whether to share the screen: if it "
               "does, choose the screen, switch on \u201cAllow remote interaction\u201d and click "
               "\u201cShare\u201d."));
        next->Wrap(FromDIP(420));
        column->Add(next, 0, wxLEFT | wxRIGHT | wxBOTTOM, FromDIP(16));
    }

    countdown_ = new wxStaticText(this, wxID_ANY, wxEmptyString);
    column->Add(countdown_, 0, wxLEFT | wxRIGHT, FromDIP(16));
    const auto total = std::chrono::duration_cast<std::chrono::seconds>(info_.deadline - shown_at_).count();
    gauge_ = new wxGauge(this, wxID_ANY, static_cast<int>(std::max<long long>(total, 1)), wxDefaultPosition,
                         FromDIP(wxSize(-1, 6)));
    column->Add(gauge_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(16));

    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    // TRANSLATORS: '&' marks the letter that presses the button with Alt (a mnemonic); keep
    // one '&' before a letter of your word, a different letter from the other button's.
    decline_ = new wxButton(this, wxID_CANCEL, tr("&Decline"));
    // TRANSLATORS: see "&Decline". Alt with this letter allows, and only once the button is
    // enabled (a moment after the dialog appears), as a click would.
    allow_ = new wxButton(this, wxID_OK, tr("&Allow"));
    allow_->Disable();  // enabled after info_.allow_delay
    buttons->AddStretchSpacer();
    buttons->Add(decline_, 0, wxRIGHT, FromDIP(8));
    buttons->Add(allow_, 0);
    column->Add(buttons, 0, wxEXPAND | wxALL, FromDIP(16));
    SetSizerAndFit(column);

    decline_->SetDefault();  // Enter declines
    decline_->SetFocus();
    SetEscapeId(wxID_CANCEL);
    Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { answer(true); }, wxID_OK);
    Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { answer(false); }, wxID_CANCEL);
    Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent&) { answer(false); });
    Bind(wxEVT_TIMER, &ConsentDialog::on_tick, this);
    timer_.Start(100);
    update_countdown();
    CentreOnScreen();
}

void ConsentDialog::on_tick(wxTimerEvent&) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= info_.deadline) {
        answer(false);  // no answer in time is a no
        return;
    }
    if (!allow_->IsEnabled() && now - shown_at_ >= info_.allow_delay) allow_->Enable();
    update_countdown();
}

void ConsentDialog::update_countdown() {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(info_.deadline - std::chrono::steady_clock::now());
    const long long s = std::max<long long>(0, left.count());
    countdown_->SetLabel(tr("Declined automatically in {seconds} s.", fmt::arg("seconds", s)));
    gauge_->SetValue(static_cast<int>(std::min<long long>(s, gauge_->GetRange())));
}

void ConsentDialog::answer(bool allowed) {
    if (answered_) return;
    answered_ = true;
    timer_.Stop();
    auto callback = std::move(on_answer_);
    Destroy();
    if (callback) callback(allowed);
}

void ConsentDialog::cancel() {
    if (answered_) return;
    answered_ = true;
    timer_.Stop();
    Destroy();
}

}  // namespace helpline::gui
