// My requests' rows, computed without a window (request_rows, status_words, waiting_words):
// what each status reads as, how waiting times are written, the order, the titles taken
// from the subject or the logged description, and the requests still in the outbox.
#include <catch2/catch.hpp>

#include "client/gui/requests_view.h"

using namespace helpline;
using namespace helpline::gui;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::hours(24 * 20'000));

std::string ago(std::chrono::seconds s) {
    return client::format_utc(kNow - s);
}

}  // namespace

TEST_CASE("status words: open, assigned to the operator, closed, expired; unknown ones say so",
          "[requests]") {
    CHECK(status_words("open", "") == "open");
    CHECK(status_words("open", "Ana Costa") == "assigned to Ana Costa");
    CHECK(status_words("closed", "Ana Costa") == "closed");
    CHECK(status_words("expired", "") == "expired");
    // A status a newer server may send is not shown as the server's English word.
    CHECK(status_words("on_hold", "") == "unknown");
}

TEST_CASE("waiting words: under a minute, minutes, hours with minutes, days with hours",
          "[requests]") {
    CHECK(waiting_words(seconds(-5)) == "< 1 min");
    CHECK(waiting_words(seconds(0)) == "< 1 min");
    CHECK(waiting_words(seconds(59)) == "< 1 min");
    CHECK(waiting_words(seconds(60)) == "1 min");
    CHECK(waiting_words(minutes(59) + seconds(59)) == "59 min");
    CHECK(waiting_words(hours(1)) == "1 h 00 min");
    CHECK(waiting_words(hours(3) + minutes(5)) == "3 h 05 min");
    CHECK(waiting_words(hours(23) + minutes(59)) == "23 h 59 min");
    CHECK(waiting_words(hours(24)) == "1 d 0 h");
    CHECK(waiting_words(hours(52)) == "2 d 4 h");
}

TEST_CASE(
    "rows: requests waiting in the outbox first (newest first), then the tickets newest first, "
    "titled by subject or the logged description's first line",
    "[requests]") {
    std::vector<client::MyRequest> tickets = {
        {1007, "closed", "low", "helpdesk", "Bruno", "VPN drops every hour", ago(hours(50)),
         ago(hours(47)), 0},
        {1042, "open", "high", "helpdesk", "Ana Costa", "Printer on fire", ago(minutes(72)), "", 2},
        {1031, "open", "medium", "billing", "", "", ago(minutes(14)), "", 0},
        {1050, "expired", "medium", "billing", "", "", ago(hours(30)), "", 0},
    };
    client::LoggedRequest logged;
    logged.result = "created";
    logged.number = 1031;
    logged.request = {{"description", "\n  The invoice for November was charged twice.\nPlease check."}};
    client::LoggedRequest refused;  // refused requests give no title to anyone
    refused.result = "refused";
    refused.number = 1050;
    refused.request = {{"description", "not this"}};
    std::vector<client::OutboxEntry> queued(3);
    queued[2].key = "k-reply";  // a reply waiting: shown on its ticket's page, not as a row
    queued[2].created_at = ago(seconds(5));
    queued[2].reply_to = 1042;
    queued[2].body = {{"body", "Any news?"}};
    queued[0].key = "k-older";
    queued[0].created_at = ago(seconds(600));
    queued[0].body = {{"description", "Cannot open the shared folder"}};
    queued[1].key = "k-newer";
    queued[1].created_at = ago(seconds(40));
    queued[1].body = {{"subject", "Scanner"}, {"description", "It is off"}};

    const auto rows = request_rows(tickets, {logged, refused}, queued, kNow);
    REQUIRE(rows.size() == 6);
    CHECK(rows[0] == RequestRow{0, wxString::FromUTF8("\u2014"), "Scanner", "waiting to be sent",
                                "< 1 min", 0});
    CHECK(rows[1] == RequestRow{0, wxString::FromUTF8("\u2014"), "Cannot open the shared folder",
                                "waiting to be sent", "10 min", 0});
    CHECK(rows[2] == RequestRow{1050, "1050", "", "expired", "1 d 6 h", 0});
    CHECK(rows[3] ==
          RequestRow{1042, "1042", "Printer on fire", "assigned to Ana Costa", "1 h 12 min", 2});
    CHECK(rows[4] ==
          RequestRow{1031, "1031", "The invoice for November was charged twice.", "open", "14 min", 0});
    // Closed: the wait stops at closed_at.
    CHECK(rows[5] == RequestRow{1007, "1007", "VPN drops every hour", "closed", "3 h 00 min", 0});
    // The team's messages not read yet, in words for the list.
    CHECK(unread_words(2) == "2 new");
    CHECK(unread_words(0).empty());
}

TEST_CASE("a long first line is cut at 80 bytes without splitting a character",
          "[requests]") {
    std::string subject(79, 'a');
    subject += "\u00e9\u00e9\u00e9";  // bytes 80 and 81 are one character
    const std::vector<client::MyRequest> tickets = {
        {1, "open", "low", "", "", subject, ago(seconds(1)), "", 0}};
    const auto rows = request_rows(tickets, {}, {}, kNow);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].title == wxString::FromUTF8(std::string(79, 'a') + "\u2026"));
}
