#pragma once
// "My requests" in the main window: number, subject (or the first line of the description),
// status in words, the team's messages not read yet, and waiting time, newest first;
// requests still in the outbox on top as "waiting to be sent". Double-click (or Enter) opens
// a request's page. The rows are computed from the core's data (request_rows, no
// window needed, tested alone) and shown in a report list.

#include <wx/listctrl.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "client/core/my_requests.h"
#include "client/core/outbox.h"

namespace helpline::gui {

struct RequestRow {
    long long number = 0;  ///< 0: not sent yet
    wxString number_text;
    wxString title;
    wxString status;
    wxString waiting;
    int unread = 0;  ///< the team's messages the customer has not seen
    bool operator==(const RequestRow&) const = default;
};

/// The rows for the server's list, the local log (for descriptions: the server does not send
/// them back) and the requests still waiting in the outbox (replies there are shown on their
/// ticket's page, not here).
std::vector<RequestRow> request_rows(const std::vector<client::MyRequest>& tickets,
                                     const std::vector<client::LoggedRequest>& log,
                                     const std::vector<client::OutboxEntry>& queued,
                                     std::chrono::system_clock::time_point now);

/// "open", "assigned to Ana", "closed", "expired", in the customer's language; "unknown" for
/// a status this client does not know.
wxString status_words(const std::string& status, const std::string& operator_name);
/// "45 s", "12 min", "3 h 05 min", "2 d 4 h", in the customer's language.
wxString waiting_words(std::chrono::seconds waited);

/// "2 new", in the customer's language; empty for 0.
wxString unread_words(int unread);

class RequestsView : public wxListCtrl {
  public:
    /// `open`: a request was activated (double-click, Enter); rows not sent yet have none.
    explicit RequestsView(wxWindow* parent, std::function<void(long long number)> open = {});
    void show(const std::vector<RequestRow>& rows);
    const std::vector<RequestRow>& rows() const { return rows_; }

  private:
    std::vector<RequestRow> rows_;
    std::function<void(long long)> open_;
};

}  // namespace helpline::gui
