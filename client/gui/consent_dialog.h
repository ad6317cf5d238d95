#pragma once
// The consent dialog: the one place where a customer lets an operator in. It names the
// team (from the signed profile), the operator and the ticket, says what allowing means,
// counts down, and declines on timeout, Esc or close. Allow is enabled only after a short
// delay so a click meant for something else cannot let anyone in. The decision itself is
// the core's consent machine's; this window shows it and forwards clicks.

#include <wx/dialog.h>
#include <wx/timer.h>

#include <chrono>
#include <functional>
#include <string>

#include "client/core/consent.h"

class wxButton;
class wxStaticText;
class wxGauge;

namespace helpline::gui {

struct ConsentInfo {
    std::string team;           ///< localized brand name
    std::string operator_name;
    long long ticket_number = 0;
    std::chrono::steady_clock::time_point deadline;
    std::chrono::milliseconds allow_delay = client::kAllowDelay;  ///< tests shorten it
    /// The desktop's own sharing dialog follows an Allow (Wayland): the dialog says so.
    bool desktop_asks_next = false;
};

class ConsentDialog : public wxDialog {
public:
    /// `on_answer(true)` for Allow, `on_answer(false)` for Decline, Esc, close or timeout;
    /// called exactly once, then the dialog destroys itself.
    ConsentDialog(wxWindow* parent, ConsentInfo info, std::function<void(bool allowed)> on_answer);

    /// Closes without an answer of the customer's (the operator cancelled, the request expired
    /// on the server); on_answer is not called.
    void cancel();

private:
    void on_tick(wxTimerEvent&);
    void answer(bool allowed);
    void update_countdown();

    ConsentInfo info_;
    std::function<void(bool)> on_answer_;
    std::chrono::steady_clock::time_point shown_at_;
    wxTimer timer_;
    wxButton* allow_ = nullptr;
    wxButton* decline_ = nullptr;
    wxStaticText* countdown_ = nullptr;
    wxGauge* gauge_ = nullptr;
    bool answered_ = false;
};

}  // namespace helpline::gui
