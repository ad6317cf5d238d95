// The GUI client end to end, in-process under Xvfb against the real helpline-server: the form
// files a ticket the server sees, validation shows per-field messages, an offline request is
// queued and delivered once the server is back, and operators' connection requests bring up
// the consent dialog (with its notification) to a declined or expired request. Sessions are
// in session_test.cpp, My requests' live updates in requests_test.cpp.
#include <wx/button.h>
#include <wx/clipbrd.h>
#include <wx/textctrl.h>

#include <catch2/catch.hpp>

#include "tests/client/events/team_server.h"
#include "tests/gui/client_actions.h"
#include "tests/gui/client_scene.h"
#include "tests/support/test_client.h"

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;
using helpline::test::admin_token;
using helpline::test::connect_ticket;
using helpline::test::create_ticket;
using helpline::test::request_state;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

nlohmann::json queue(const ServerProcess& server) {
    helpline::test::CurlOptions get;
    get.headers = {"Authorization: Bearer " + admin_token(server)};
    auto reply = helpline::test::curl_request(server.url("/api/v1/queue"), get);
    REQUIRE(reply.status == 200);
    return nlohmann::json::parse(reply.body).at("tickets");
}

wxString clipboard_text() {
    wxString text;
    if (wxTheClipboard->Open()) {
        wxTextDataObject data;
        if (wxTheClipboard->GetData(data)) text = data.GetText();
        wxTheClipboard->Close();
    }
    return text;
}

}  // namespace

TEST_CASE(
    "the form files a request: the server has the ticket with the fields given, Copy puts its "
    "number on the clipboard, My requests shows it and the next form has the email",
    "[gui][form]") {
    ClientScene scene;
    Client& client = scene.open();
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    CHECK(client.frame()->link_text() == "Connected to Demo Support");
    click_until(client.frame()->assistance_button(), [&] { return client.form() != nullptr; });
    REQUIRE(pump_until([&] { return client.form()->IsShownOnScreen(); }));
    AssistanceDialog* form = client.form();
    CHECK(dynamic_cast<wxTextCtrl*>(form->FindWindow("email"))->IsEmpty());

    // Typed as a person would; the rest is filled in (the simulator has no '@' on every layout).
    type_into(dynamic_cast<wxTextCtrl*>(form->FindWindow("description")), "I was charged twice");
    client::TicketDraft draft;
    draft.email = "ana@acme.example";
    draft.group = "billing";
    draft.subject = "Invoice twice";
    draft.description = "I was charged twice in November.\nPlease check.";
    draft.priority = "high";
    form->fill(draft);
    click_until(form->FindWindow(wxID_OK), [&] { return !form->key().empty(); });
    REQUIRE(pump_until(
        [&] {
            return client.form() &&
                   client.form()->result_text().StartsWith("Your request number is");
        },
        seconds(20)));
    const auto tickets = queue(scene.server());
    REQUIRE(tickets.size() == 1);
    const auto& t = tickets.at(0);
    const long long number = t.at("number").get<long long>();
    CHECK(client.form()->result_text() == wxString::Format("Your request number is %lld", number));
    CHECK(t.at("requester").at("email") == "ana@acme.example");
    CHECK(t.at("subject") == "Invoice twice");
    CHECK(t.at("description") == "I was charged twice in November.\nPlease check.");
    CHECK(t.at("priority") == "high");
    CHECK(t.at("group").at("id") == "billing");

    auto* copy = dynamic_cast<wxButton*>(client.form()->FindWindow(wxID_COPY));
    REQUIRE(copy != nullptr);
    click_until(copy, [&] { return copy->GetLabel() == "Copied"; });
    CHECK(clipboard_text() == wxString::Format("%lld", number));

    CHECK(pump_until(
        [&] {
            return rows_have(client, [&](const RequestRow& r) {
                return r.number == number && r.title == "Invoice twice" && r.status == "open";
            });
        },
        seconds(10)));
    CHECK_THAT(helpline::test::read_text(scene.paths().config / "settings.json"),
               Catch::Contains("ana@acme.example"));

    // The next form starts with the email of this one, and the description has the focus.
    client.form()->Close();
    REQUIRE(pump_until([&] { return client.form() == nullptr; }));
    AssistanceDialog* next = client.open_assistance();
    REQUIRE(pump_until([&] { return next->IsShownOnScreen(); }));
    CHECK(dynamic_cast<wxTextCtrl*>(next->FindWindow("email"))->GetValue() == "ana@acme.example");
    CHECK(pump_until([&] { return next->FindWindow("description")->HasFocus(); }, seconds(2)));
}

TEST_CASE("a bad email and an empty description are shown under their fields and nothing is sent",
          "[gui][form]") {
    ClientScene scene;
    Client& client = scene.open();
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    AssistanceDialog* form = client.open_assistance();
    REQUIRE(pump_until([&] { return form->IsShownOnScreen(); }));
    type_into(dynamic_cast<wxTextCtrl*>(form->FindWindow("email")), "ana at acme");
    click_until(form->FindWindow(wxID_OK), [&] { return !form->problem_text("email").empty(); });
    CHECK(form->problem_text("email") ==
          wxString::FromUTF8(
              "\u201cana at acme\u201d is not a valid email address (like name@example.com)."));
    CHECK(form->problem_text("description") == "Please describe the problem.");
    CHECK(form->problem_text("group_id").empty());
    CHECK(form->key().empty());
    CHECK_FALSE(form->saving());
    CHECK(form->result_text().empty());
    pump_until([] { return false; }, milliseconds(300));
    CHECK(queue(scene.server()).empty());
    CHECK(client::Outbox(scene.paths().state / "outbox",
                         client::RequestLog(scene.paths().state / "r.log"))
              .pending()
              .empty());
}

TEST_CASE(
    "offline, a request is queued; once the server is up it is delivered and My requests shows it",
    "[gui][form][offline]") {
    ClientScene scene({}, /*start_server=*/false);
    Client& client = scene.open();
    REQUIRE(
        pump_until([&] { return client.frame()->link_text().StartsWith("Offline"); }, seconds(20)));
    CHECK(client.frame()->link_text() ==
          wxString::FromUTF8(
              "Offline \u2014 your requests will be sent when the connection is back"));
    // The tooltip explains in the customer's words; the technical reason is in the log.
    CHECK(client.frame()->link_tooltip().StartsWith("The support server cannot be reached"));
    CHECK_FALSE(client.frame()->link_tooltip().Contains("127.0.0.1"));
    CHECK(pump_until(
        [&] {
            return helpline::test::read_text(scene.paths().state / "client.log")
                       .find("127.0.0.1") != std::string::npos;
        },
        seconds(10)));
    AssistanceDialog* form = client.open_assistance();
    REQUIRE(pump_until([&] { return form->IsShownOnScreen(); }));
    client::TicketDraft draft;
    draft.email = "bruno@acme.example";
    draft.description = "The VPN does not connect.";
    form->fill(draft);
    form->press_send();
    REQUIRE(pump_until(
        [&] { return client.form() && client.form()->result_text() == "Your request is saved"; },
        seconds(10)));
    CHECK(client.form()->result_detail_text() ==
          "The support server cannot be reached right now. Your request is queued and will be "
          "sent automatically when the connection is back; it then appears under My requests.");
    CHECK_FALSE(client.form()->FindWindow(wxID_COPY)->IsShown());
    CHECK(pump_until(
        [&] {
            return rows_have(client, [](const RequestRow& r) {
                return r.number == 0 && r.status == "waiting to be sent" &&
                       r.title == "The VPN does not connect.";
            });
        },
        seconds(5)));

    scene.server().start();
    REQUIRE(pump_until(
        [&] { return rows_have(client, [](const RequestRow& r) { return r.number > 0; }); },
        seconds(30)));
    const auto tickets = queue(scene.server());
    REQUIRE(tickets.size() == 1);
    const long long number = tickets.at(0).at("number").get<long long>();
    CHECK(tickets.at(0).at("requester").at("email") == "bruno@acme.example");
    CHECK(pump_until(
        [&] {
            return rows_have(client, [&](const RequestRow& r) {
                return r.number == number && r.status == "open" &&
                       r.title == "The VPN does not connect.";
            });
        },
        seconds(5)));
    CHECK(pump_until(
        [&] { return !rows_have(client, [](const RequestRow& r) { return r.number == 0; }); },
        seconds(5)));
    CHECK(pump_until([&] { return scene.connected(); }, seconds(20)));
    CHECK(client.frame()->link_text() == "Connected to Demo Support");
    // The form, still open, now shows the number.
    CHECK(client.form()->result_text() == wxString::Format("Your request number is %lld", number));
}

TEST_CASE(
    "an operator's connection request shows the consent dialog — team, operator, ticket, what "
    "allowing means, a countdown — with a desktop notification; Decline is sent to the server",
    "[gui][consent]") {
    std::vector<std::pair<wxString, wxString>> notifications;
    std::optional<std::chrono::steady_clock::time_point> shown;
    ClientOptions options;
    options.on_notification = [&](const wxString& title, const wxString& text) {
        notifications.emplace_back(title, text);
    };
    options.on_consent_shown = [&](const std::string&) { shown = std::chrono::steady_clock::now(); };
    ClientScene scene;
    Client& client = scene.open({}, std::move(options));
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    const auto ticket = create_ticket(scene.server(), scene.device_token());
    const auto admin = admin_token(scene.server());
    const auto request = connect_ticket(scene.server(), admin, ticket);
    REQUIRE(pump_until(
        [&] {
            return client.remote().dialog() != nullptr &&
                   client.remote().dialog()->IsShownOnScreen();
        },
        seconds(10)));
    ConsentDialog* dialog = client.remote().dialog();
    CHECK(dialog->GetTitle() == "Remote assistance request");
    const std::string n = std::to_string(ticket);
    CHECK(shows_label(dialog, "Admin from Demo Support asks to connect to this computer"));
    CHECK(shows_label(dialog, "For your request number " + n + "."));
    CHECK(shows_label(dialog,
                      "If you allow it, Admin can see and control this computer until you end the "
                      "session. You can end it at any moment."));
    wxString countdown;
    for (const auto& l : labels_in(dialog))
        if (l.StartsWith("Declined automatically in ")) countdown = l;
    INFO(countdown);
    long seconds_left = 0;
    REQUIRE(countdown.EndsWith(" s."));
    REQUIRE(countdown.Mid(26).BeforeFirst(' ').ToLong(&seconds_left));
    CHECK(seconds_left > 50);
    CHECK(seconds_left <= 60);

    // Allow waits kAllowDelay (1.5 s) in the real flow too; Decline is the default.
    auto* allow = dynamic_cast<wxButton*>(dialog->FindWindow(wxID_OK));
    REQUIRE(shown.has_value());
    CHECK(dialog->GetDefaultItem() == dialog->FindWindow(wxID_CANCEL));
    REQUIRE(pump_until([&] { return allow->IsEnabled(); }, seconds(5)));
    const auto waited = std::chrono::steady_clock::now() - *shown;
    CHECK(waited >= milliseconds(1400));  // the dialog was built a moment before it was shown
    CHECK(waited < milliseconds(2000));

    const wxString asks = "Admin from Demo Support asks to connect to this computer (request " +
                          wxString(n) + ").";
    CHECK(client.frame()->notice_text() == asks);
    REQUIRE(notifications.size() == 1);
    CHECK(notifications.front().first == "Demo Support");
    CHECK(notifications.front().second == asks);

    click_until(dialog->FindWindow(wxID_CANCEL),
                [&] { return client.remote().dialog() == nullptr; });
    CHECK(helpline::test::wait_for(
        [&] { return request_state(scene.server(), admin, request) == "declined"; }, seconds(10)));
    CHECK(client.frame()->notice_text() == "You declined the connection request from Admin.");
}

TEST_CASE(
    "a consent dialog nobody answers closes at its deadline and nothing is sent: the request "
    "expires",
    "[gui][consent]") {
    ClientScene scene({"--request-timeout", "3", "--sweep-interval-ms", "200"});
    Client& client = scene.open();
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    const auto ticket = create_ticket(scene.server(), scene.device_token());
    const auto admin = admin_token(scene.server());
    const auto request = connect_ticket(scene.server(), admin, ticket);
    REQUIRE(pump_until([&] { return client.remote().dialog() != nullptr; }, seconds(10)));
    REQUIRE(pump_until([&] { return client.remote().dialog() == nullptr; }, seconds(10)));
    CHECK(client.frame()->notice_text() ==
          "The connection request from Admin expired without an answer.");
    CHECK(helpline::test::wait_for(
        [&] { return request_state(scene.server(), admin, request) == "expired"; }, seconds(10)));
}
