#include "client/gui/requests_view.h"

#include <algorithm>
#include <map>

#include "client/gui/i18n.h"

namespace helpline::gui {
namespace {

std::string first_line(const std::string& text) {
    const auto start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) return {};
    const auto end = text.find_first_of("\r\n", start);
    std::string line =
        text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    constexpr std::size_t kMax = 80;
    if (line.size() > kMax) {
        std::size_t cut = kMax;
        while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
        line = line.substr(0, cut) + "\u2026";
    }
    return line;
}

std::string title_of(const nlohmann::json& request) {
    if (!request.is_object()) return {};
    const std::string subject = request.value("subject", "");
    if (!subject.empty()) return first_line(subject);
    return first_line(request.value("description", ""));
}

}  // namespace

wxString status_words(const std::string& status, const std::string& operator_name) {
    if (status == "open") {
        if (operator_name.empty()) return tr("open");
        // TRANSLATORS: the status of a request; {operator} is the name of the person handling it.
        return tr("assigned to {operator}", fmt::arg("operator", operator_name));
    }
    if (status == "closed") return tr("closed");
    if (status == "expired") return tr("expired");
    // A status a newer server knows and this client does not: not shown as an English word.
    // TRANSLATORS: the status of a request that this version of the client does not know.
    return tr("unknown");
}

wxString waiting_words(std::chrono::seconds waited) {
    const long long s = std::max<long long>(0, waited.count());
    // The list is redrawn every few seconds, not every second: no seconds to watch tick.
    if (s < 60) return tr("< 1 min");
    if (s < 3600) return tr("{minutes} min", fmt::arg("minutes", s / 60));
    if (s < 86400)
        return tr("{hours} h {minutes} min", fmt::arg("hours", s / 3600),
                  fmt::arg("minutes", fmt::format("{:02}", (s % 3600) / 60)));
    return tr("{days} d {hours} h", fmt::arg("days", s / 86400),
              fmt::arg("hours", (s % 86400) / 3600));
}

std::vector<RequestRow> request_rows(const std::vector<client::MyRequest>& tickets,
                                     const std::vector<client::LoggedRequest>& log,
                                     const std::vector<client::OutboxEntry>& queued,
                                     std::chrono::system_clock::time_point now) {
    std::map<std::int64_t, const client::LoggedRequest*> by_number;
    for (const auto& entry : log)
        if (entry.result == "created" && entry.number > 0) by_number[entry.number] = &entry;

    std::vector<RequestRow> rows;
    for (auto it = queued.rbegin(); it != queued.rend(); ++it) {
        // A reply waiting to be sent belongs to its ticket's page, not to this list.
        if (it->is_reply()) continue;
        RequestRow row;
        row.number_text = wxString::FromUTF8("\u2014");
        row.title = wxString::FromUTF8(title_of(it->body));
        row.status = tr("waiting to be sent");
        if (auto created = client::parse_utc(it->created_at))
            row.waiting =
                waiting_words(std::chrono::duration_cast<std::chrono::seconds>(now - *created));
        rows.push_back(std::move(row));
    }
    std::vector<client::MyRequest> sorted = tickets;
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.number > b.number; });
    for (const auto& t : sorted) {
        RequestRow row;
        row.number = t.number;
        row.number_text = wxString::Format("%lld", static_cast<long long>(t.number));
        std::string title = first_line(t.subject);
        if (title.empty())
            if (auto found = by_number.find(t.number); found != by_number.end())
                title = title_of(found->second->request);
        row.title = wxString::FromUTF8(title);
        row.status = status_words(t.status, t.operator_name);
        if (auto waited = client::waiting_time(t, now)) row.waiting = waiting_words(*waited);
        row.unread = std::max(0, t.unread);
        rows.push_back(std::move(row));
    }
    return rows;
}

wxString unread_words(int unread) {
    if (unread <= 0) return {};
    // TRANSLATORS: how many of the support team's messages the customer has not read yet.
    return tr("{count} new", fmt::arg("count", unread));
}

RequestsView::RequestsView(wxWindow* parent, std::function<void(long long number)> open)
    : wxListCtrl(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                 wxLC_REPORT | wxLC_SINGLE_SEL),
      open_(std::move(open)) {
    SetName("requests");
    // TRANSLATORS: column headings of the list of the customer's requests.
    AppendColumn(tr("Number"), wxLIST_FORMAT_LEFT, FromDIP(72));
    AppendColumn(tr("Request"), wxLIST_FORMAT_LEFT, FromDIP(210));
    AppendColumn(tr("Status"), wxLIST_FORMAT_LEFT, FromDIP(160));
    // TRANSLATORS: column heading: the support team's messages not read yet.
    AppendColumn(tr("Messages"), wxLIST_FORMAT_LEFT, FromDIP(90));
    AppendColumn(tr("Waiting"), wxLIST_FORMAT_LEFT, FromDIP(80));
    // The request's words take what the other columns leave: the list is never wider than
    // its window (Windows' list has a border, and would show a horizontal scroll bar).
    Bind(wxEVT_SIZE, [this](wxSizeEvent& e) {
        e.Skip();
        int others = 0;
        for (int column = 0; column < GetColumnCount(); ++column)
            if (column != 1) others += GetColumnWidth(column);
        const int width = std::max(FromDIP(120), GetClientSize().x - others);
        if (width != GetColumnWidth(1)) SetColumnWidth(1, width);
    });
    Bind(wxEVT_LIST_ITEM_ACTIVATED, [this](wxListEvent& e) {
        const long i = e.GetIndex();
        if (i < 0 || static_cast<std::size_t>(i) >= rows_.size()) return;
        if (rows_[static_cast<std::size_t>(i)].number > 0 && open_)
            open_(rows_[static_cast<std::size_t>(i)].number);
    });
}

void RequestsView::show(const std::vector<RequestRow>& rows) {
    if (rows == rows_ && GetItemCount() == static_cast<int>(rows.size())) return;  // no flicker
    rows_ = rows;
    Freeze();
    DeleteAllItems();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const long item = InsertItem(static_cast<long>(i), rows[i].number_text);
        SetItem(item, 1, rows[i].title);
        SetItem(item, 2, rows[i].status);
        SetItem(item, 3, unread_words(rows[i].unread));
        SetItem(item, 4, rows[i].waiting);
        // What is new stands out (in colour: bold text would no longer fit its columns).
        if (rows[i].unread > 0) SetItemTextColour(item, wxColour(0x0B, 0x57, 0xA4));
    }
    Thaw();
}

}  // namespace helpline::gui
