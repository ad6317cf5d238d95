#pragma once
// "My requests" in the main window: number, subject (or the first line of the description),
// status in words and waiting time, newest first; requests still in the outbox on top as
// "waiting to be sent". The rows are computed from the core's data (request_rows, no
// window needed, tested alone) and shown in a report list.

#include <wx/listctrl.h>

#include <chrono>
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
    bool operator==(const RequestRow&) const = default;
};

/// The rows for the server's list, the local log (for descriptions: the server does not send
/// them back) and the requests still waiting in the outbox.
std::vector<RequestRow> request_rows(const std::vector<client::MyRequest>& tickets,
                                     const std::vector<client::LoggedRequest>& log,
                                     const std::vector<client::OutboxEntry>& queued,
                                     std::chrono::system_clock::time_point now);

/// "open", "assigned to Ana", "closed", "expired", in the customer's language; "unknown" for
/// a status this client does not know.
wxString status_words(const std::string& status, const std::string& operator_name);
/// "45 s", "12 min", "3 h 05 min", "2 d 4 h", in the customer's language.
wxString waiting_words(std::chrono::seconds waited);

class RequestsView : public wxListCtrl {
  public:
    explicit RequestsView(wxWindow* parent);
    void show(const std::vector<RequestRow>& rows);
    const std::vector<RequestRow>& rows() const { return rows_; }

  private:
    std::vector<RequestRow> rows_;
};

}  // namespace helpline::gui
