// The GUI client end to end, in-process under Xvfb against the real helpline-server: the form
// files a ticket the server sees, validation shows per-field messages, an offline request is
// queued and delivered once the server is back, and operators' connection requests go through
// the consent dialog to a declined, expired or running-then-ended session: a real x11vnc, the
// server's relay, and an RFB viewer (tests/server/relay) in the operator's place.
#include <unistd.h>
#include <wx/button.h>
#include <wx/textctrl.h>
#include <wx/uiaction.h>

#include <catch2/catch.hpp>

#include "client/core/spawn_posix.h"
#include "tests/client/events/team_server.h"
#include "tests/client/session/session_support.h"
#include "tests/gui/client_scene.h"
#include "tests/server/relay/rfb_viewer.h"
#include "tests/support/test_client.h"

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;
using helpline::test::admin_token;
using helpline::test::connect_ticket;
using helpline::test::create_ticket;
using helpline::test::request_state;
using std::chrono::seconds;

namespace {

nlohmann::json queue(const ServerProcess& server) {
    helpline::test::CurlOptions get;
    get.headers = {"Authorization: Bearer " + admin_token(server)};
    auto reply = helpline::test::curl_request(server.url("/api/v1/queue"), get);
    REQUIRE(reply.status == 200);
    return nlohmann::json::parse(reply.body).at("tickets");
}

void click(wxWindow* window) {
    REQUIRE(pump_until([&] { return window->IsShownOnScreen() && window->IsEnabled(); }));
    wxUIActionSimulator sim;
    sim.MouseMove(centre_of(window));
    pump_until([] { return false; }, std::chrono::milliseconds(50));
    sim.MouseClick();
}

/// Clicks `window` until `done` holds: a click that lands while the window is still being
/// placed or painted is lost, as it would be for a person, who clicks again.
void click_until(wxWindow* window, const std::function<bool()>& done) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        click(window);
        if (pump_until(done, std::chrono::milliseconds(1500))) return;
    }
    FAIL("clicking did not have its effect");
}

/// Types `text` into `field` as a person would (focus, keys).
void type_into(wxTextCtrl* field, const std::string& text) {
    click(field);
    REQUIRE(pump_until([&] { return field->HasFocus(); }));
    wxUIActionSimulator sim;
    sim.Text(text.c_str());
    REQUIRE(pump_until([&] { return field->GetValue() == wxString::FromUTF8(text); }));
}

bool rows_have(Client& client, const std::function<bool(const RequestRow&)>& match) {
    for (const auto& row : client.frame()->requests_view()->rows())
        if (match(row)) return true;
    return false;
}

bool installed(const std::string& program) {
    return client::find_executable(program).has_value();
}

}  // namespace

TEST_CASE(
    "the form files a request: the server has the ticket with the fields given, and My requests "
    "shows it",
    "[gui][form]") {
    ClientScene scene;
    Client& client = scene.open();
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    click_until(client.frame()->assistance_button(), [&] { return client.form() != nullptr; });
    REQUIRE(pump_until([&] { return client.form()->IsShownOnScreen(); }));
    AssistanceDialog* form = client.form();

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

    // My requests shows it; the email is remembered for the next form.
    CHECK(pump_until(
        [&] {
            return rows_have(client, [&](const RequestRow& r) {
                return r.number == number && r.title == "Invoice twice" && r.status == "open";
            });
        },
        seconds(10)));
    CHECK_THAT(helpline::test::read_text(scene.paths().config / "settings.json"),
               Catch::Contains("ana@acme.example"));
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
    CHECK(form->result_text().empty());
    pump_until([] { return false; }, std::chrono::milliseconds(300));
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
    CHECK(rows_have(client, [](const RequestRow& r) {
        return r.number == 0 && r.status == "waiting to be sent" &&
               r.title == "The VPN does not connect.";
    }));

    scene.server().start();
    REQUIRE(pump_until(
        [&] { return rows_have(client, [](const RequestRow& r) { return r.number > 0; }); },
        seconds(30)));
    const auto tickets = queue(scene.server());
    REQUIRE(tickets.size() == 1);
    const long long number = tickets.at(0).at("number").get<long long>();
    CHECK(tickets.at(0).at("requester").at("email") == "bruno@acme.example");
    CHECK(rows_have(client, [&](const RequestRow& r) {
        return r.number == number && r.status == "open" && r.title == "The VPN does not connect.";
    }));
    CHECK_FALSE(rows_have(client, [](const RequestRow& r) { return r.number == 0; }));
    CHECK(pump_until([&] { return scene.connected(); }, seconds(20)));
    // The form, still open, now shows the number.
    CHECK(client.form()->result_text() == wxString::Format("Your request number is %lld", number));
}

TEST_CASE(
    "an operator's connection request shows the consent dialog; Decline is sent to the server",
    "[gui][consent]") {
    ClientScene scene;
    Client& client = scene.open();
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
    CHECK_THAT(
        std::string(client.frame()->notice_text().utf8_str()),
        Catch::Contains("Admin from Demo Support asks to connect to this computer (request " +
                        std::to_string(ticket) + ")"));
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

namespace {

/// An operator's view of a running session: the connection request's session and the
/// backend's one-time password, as the console gets them once the customer allowed.
struct AcceptedSession {
    std::string id;
    std::string vnc_password;
};

AcceptedSession accepted_session(const ServerProcess& server, const std::string& admin,
                                 const std::string& request) {
    helpline::test::CurlOptions get;
    get.headers = {"Authorization: Bearer " + admin};
    const auto reply =
        helpline::test::curl_request(server.url("/api/v1/connection-requests/" + request), get);
    REQUIRE(reply.status == 200);
    const auto doc = nlohmann::json::parse(reply.body);
    REQUIRE(doc.at("state") == "accepted");
    return {doc.at("session_id").get<std::string>(), doc.at("vnc_password").get<std::string>()};
}

/// The relay's WebSocket view of `session`, as the admin who asked to connect.
std::unique_ptr<helpline::test::ViewClient> open_view(const ServerProcess& server,
                                                      const std::string& admin,
                                                      const std::string& session) {
    helpline::test::ViewOptions options;
    options.target = "/api/v1/relay/" + session + "/view";
    options.headers = {"Authorization: Bearer " + admin};
    options.protocols = {"binary"};
    auto view = std::make_unique<helpline::test::ViewClient>(server.port(), options);
    INFO(view->handshake().status << " " << view->handshake().body);
    REQUIRE(view->open());
    return view;
}

/// x11vnc started for this client (its password file lives in the client's runtime folder).
bool backend_running(ClientScene& scene) {
    return !helpline::test::processes_mentioning(scene.paths().runtime.string()).empty();
}

/// The audit entry that ended `session`.
nlohmann::json audited_end(const ServerProcess& server, const std::string& admin,
                           const std::string& session) {
    helpline::test::CurlOptions get;
    get.headers = {"Authorization: Bearer " + admin};
    const auto reply = helpline::test::curl_request(server.url("/api/v1/audit"), get);
    REQUIRE(reply.status == 200);
    const auto doc = nlohmann::json::parse(reply.body);  // outlives the loop over its entries
    for (const auto& e : doc.at("entries"))
        if (e.value("session_id", "") == session && e.at("action") == "ended") return e;
    return {};
}

/// Connects as the admin to a new ticket of the scene's device, clicks Allow once it is
/// enabled and waits for the session bar.
std::string allow_connection(ClientScene& scene, Client& client, const std::string& admin) {
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    const auto ticket = create_ticket(scene.server(), scene.device_token());
    const auto request = connect_ticket(scene.server(), admin, ticket);
    REQUIRE(pump_until([&] { return client.remote().dialog() != nullptr; }, seconds(10)));
    auto* allow = client.remote().dialog()->FindWindow(wxID_OK);
    REQUIRE(pump_until([&] { return allow->IsEnabled(); }, seconds(5)));
    click_until(allow, [&] { return client.remote().dialog() == nullptr; });
    REQUIRE(client.remote().session_active());
    REQUIRE(pump_until(
        [&] {
            return client.remote().bar() != nullptr && client.remote().bar()->IsShownOnScreen();
        },
        seconds(30)));
    return request;
}

wxButton* end_button(SessionBar* bar) {
    for (wxWindow* w : bar->GetChildren().front()->GetChildren())
        if (auto* b = dynamic_cast<wxButton*>(w)) return b;
    return nullptr;
}

}  // namespace

TEST_CASE(
    "Allow: through the server's relay the operator's RFB viewer gets this screen, and End "
    "session stops x11vnc, closes the viewer and ends the session",
    "[gui][consent][session]") {
    if (!installed("x11vnc")) {
        WARN("SKIPPED: x11vnc is not installed (apt-get install -y x11vnc); scripts/test installs "
             "it");
        return;
    }
    ClientScene scene;
    Client& client = scene.open();
    const auto admin = admin_token(scene.server());
    const auto request = allow_connection(scene, client, admin);
    CHECK(backend_running(scene));
    CHECK(client.frame()->notice_text() == "Admin can see and control this computer.");

    // The operator's side, as noVNC: VNC authentication with the one-time password, then
    // the whole of this Xvfb screen.
    const auto session = accepted_session(scene.server(), admin, request);
    auto view = open_view(scene.server(), admin, session.id);
    const auto screen = helpline::test::view_screen(*view, session.vnc_password);
    CHECK(screen.width == static_cast<std::uint32_t>(wxGetDisplaySize().GetWidth()));
    CHECK(screen.height == static_cast<std::uint32_t>(wxGetDisplaySize().GetHeight()));
    CHECK(screen.area == std::uint64_t{screen.width} * screen.height);

    wxButton* end = end_button(client.remote().bar());
    REQUIRE(end != nullptr);
    click_until(end, [&] { return client.remote().bar() == nullptr; });
    REQUIRE(pump_until([&] { return !client.remote().session_active(); }, seconds(15)));
    CHECK_FALSE(backend_running(scene));
    CHECK(client.frame()->notice_text() == "The session has ended.");
    CHECK(view->wait_closed(std::chrono::milliseconds(10'000)).has_value());
    CHECK(helpline::test::wait_for(
        [&] { return request_state(scene.server(), admin, request) == "ended"; }, seconds(10)));
    // Audited with what went through: at least the screen toward the operator.
    nlohmann::json ended;
    CHECK(helpline::test::wait_for(
        [&] { return !(ended = audited_end(scene.server(), admin, session.id)).is_null(); },
        seconds(10)));
    REQUIRE(ended.is_object());
    CHECK(ended.at("detail").at("bytes_to_operator").get<std::uint64_t>() >= screen.pixel_bytes());
}

TEST_CASE(
    "the operator ends a relayed session: the bar goes, x11vnc stops and the customer is told "
    "who ended it",
    "[gui][consent][session]") {
    if (!installed("x11vnc")) {
        WARN("SKIPPED: x11vnc is not installed");
        return;
    }
    ClientScene scene;
    Client& client = scene.open();
    const auto admin = admin_token(scene.server());
    const auto request = allow_connection(scene, client, admin);
    const auto session = accepted_session(scene.server(), admin, request);
    auto view = open_view(scene.server(), admin, session.id);
    helpline::test::view_screen(*view, session.vnc_password);

    helpline::test::CurlOptions end;
    end.method = "POST";
    end.headers = {"Authorization: Bearer " + admin};
    CHECK(helpline::test::curl_request(
              scene.server().url("/api/v1/sessions/" + session.id + "/end"), end)
              .status == 204);
    REQUIRE(pump_until([&] { return !client.remote().session_active(); }, seconds(15)));
    CHECK(client.remote().bar() == nullptr);
    CHECK(client.frame()->notice_text() == "Admin ended the session.");
    CHECK(helpline::test::wait_for([&] { return !backend_running(scene); }, seconds(5)));
    CHECK(view->wait_closed(std::chrono::milliseconds(10'000)) == 4000);
}

TEST_CASE(
    "a tunnel the relay refuses (a wrong token) ends the session at once and stops x11vnc",
    "[gui][consent][session]") {
    if (!installed("x11vnc")) {
        WARN("SKIPPED: x11vnc is not installed");
        return;
    }
    ClientOptions options;
    options.open_tunnel = [](const client::ServerEndpoint& endpoint, const std::string& session,
                             const std::string&, std::uint16_t port,
                             std::function<void(const client::TunnelStats&)> on_closed) {
        return client::RelayTunnel::open(endpoint, session, "not-the-relay-token", port,
                                         std::move(on_closed));
    };
    ClientScene scene;
    Client& client = scene.open({}, std::move(options));
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    const auto admin = admin_token(scene.server());
    const auto ticket = create_ticket(scene.server(), scene.device_token());
    const auto request = connect_ticket(scene.server(), admin, ticket);
    REQUIRE(pump_until([&] { return client.remote().dialog() != nullptr; }, seconds(10)));
    auto* allow = client.remote().dialog()->FindWindow(wxID_OK);
    REQUIRE(pump_until([&] { return allow->IsEnabled(); }, seconds(5)));
    click_until(allow, [&] { return client.remote().dialog() == nullptr; });
    REQUIRE(pump_until([&] { return !client.remote().session_active(); }, seconds(30)));
    INFO("client.log: " << helpline::test::read_text(scene.paths().state / "client.log"));
    CHECK(client.remote().bar() == nullptr);
    CHECK_THAT(std::string(client.frame()->notice_text().utf8_str()),
               Catch::StartsWith("The remote session could not be connected to the support "
                                 "server:"));
    CHECK(helpline::test::wait_for([&] { return !backend_running(scene); }, seconds(5)));
    CHECK(helpline::test::wait_for(
        [&] { return request_state(scene.server(), admin, request) == "ended"; }, seconds(10)));
}
