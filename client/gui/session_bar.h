#pragma once
// While a session runs: a small always-on-top bar saying who can see and control this
// computer, with End session. It stays visible for the whole session; ending stops the
// backend at once (the core does that when on_end runs).

#include <wx/frame.h>

#include <functional>
#include <string>

class wxButton;
class wxStaticText;

namespace helpline::gui {

class SessionBar : public wxFrame {
public:
    SessionBar(const std::string& operator_name, const wxColour& accent, std::function<void()> on_end);
    /// Closes the bar without calling on_end (the session ended elsewhere).
    void dismiss();
    /// What the bar says ("Ana can see and control this computer").
    wxString text() const;
    wxButton* end_button() const { return end_; }

private:
    void finish(bool notify);

    wxStaticText* text_ = nullptr;
    wxButton* end_ = nullptr;
    std::function<void()> on_end_;
    bool done_ = false;
};

}  // namespace helpline::gui
