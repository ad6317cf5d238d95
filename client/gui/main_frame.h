#pragma once
// The client's main window: the brand's logo, name, welcome text and accent colour; the
// connection to the team server in words; the Assistance button; My requests; About.
// It only shows what it is given: the Client (client.h) feeds it from the core.

#include <wx/frame.h>

#include <functional>
#include <vector>

#include "client/core/brand.h"
#include "client/core/device_link.h"
#include "client/gui/requests_view.h"

class wxButton;
class wxStaticText;

namespace helpline::gui {

class MainFrame : public wxFrame {
  public:
    struct Actions {
        std::function<void()> assistance;
        std::function<void()> about;
        /// A request of My requests was opened (double-click, Enter).
        std::function<void(long long number)> open_request;
    };
    MainFrame(const client::Brand& brand, const std::string& language, Actions actions = {});

    /// "Connected to Demo Support" / "Offline — your requests will be sent when the
    /// connection is back" / "Connecting to …".
    void set_link_status(const client::LinkStatus& status);
    void set_requests(const std::vector<RequestRow>& rows);
    /// A line of news under the connection state ("The session has ended."); empty hides it.
    void set_notice(const wxString& text);
    /// Brings the window to the front (a second start of the client asks for this).
    void bring_to_front();

    wxButton* assistance_button() const { return assistance_; }
    /// The list, built now if the first idle moment has not come yet.
    RequestsView* requests_view();
    wxString link_text() const;
    wxString link_tooltip() const;
    wxString notice_text() const;

  private:
    std::string team_;
    Actions actions_;
    wxStaticText* link_dot_ = nullptr;  ///< in the state's colour
    wxStaticText* link_ = nullptr;      ///< link_words_
    wxString link_words_;
    wxStaticText* notice_ = nullptr;
    wxString notice_words_;  ///< as set: notice_ holds them wrapped
    wxStaticText* empty_ = nullptr;
    wxStaticText* open_hint_ = nullptr;
    wxButton* assistance_ = nullptr;
    /// Built one event-loop turn after the window is shown (a list control is the costliest
    /// widget here, and an empty one has nothing to show at once); until then a blank panel
    /// of the same size holds its place, so nothing moves when it comes.
    RequestsView* requests_ = nullptr;
    wxWindow* requests_slot_ = nullptr;
    std::vector<RequestRow> rows_;
};

/// "#0A6ED1" -> colour; the default accent when the profile has none or it is malformed.
wxColour accent_colour(const std::string& hex);

}  // namespace helpline::gui
