// My requests follows the ticket live: an operator assigns it, then closes it, on the real
// server, and the row says so as the ticket-updated events arrive (no reload, no restart).
#include <catch2/catch.hpp>

#include "tests/client/events/team_server.h"
#include "tests/gui/client_actions.h"
#include "tests/gui/client_scene.h"
#include "tests/support/test_client.h"

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;
using helpline::test::admin_token;
using std::chrono::seconds;

namespace {

helpline::test::CurlResponse as_admin(const ServerProcess& server, const std::string& token,
                                      const std::string& method, const std::string& path,
                                      const nlohmann::json& body = nullptr) {
    helpline::test::CurlOptions o;
    o.method = method;
    o.headers = {"Authorization: Bearer " + token, "Content-Type: application/json"};
    if (!body.is_null()) o.body = body.dump();
    return helpline::test::curl_request(server.url(path), o);
}

}  // namespace

TEST_CASE(
    "an operator assigns the request and then closes it: the row turns into \"assigned to "
    "Admin\", then \"closed\", as the server says so",
    "[gui][requests]") {
    ClientScene scene;
    Client& client = scene.open();
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    AssistanceDialog* form = client.open_assistance();
    client::TicketDraft draft;
    draft.email = "ana@acme.example";
    draft.subject = "Printer on fire";
    draft.description = "Smoke comes out of it.";
    form->fill(draft);
    form->press_send();
    REQUIRE(pump_until([&] { return client.form() && client.form()->result_text().StartsWith(
                                                         "Your request number is"); },
                       seconds(20)));
    long long number = 0;
    REQUIRE(pump_until(
        [&] {
            for (const auto& r : client.frame()->requests_view()->rows())
                if (r.number > 0 && r.status == "open") number = r.number;
            return number > 0;
        },
        seconds(10)));
    const std::string path = "/api/v1/tickets/" + std::to_string(number);
    const auto admin = admin_token(scene.server());

    // Live: well within the 15 s the waiting times are redrawn, and without a reload.
    REQUIRE(as_admin(scene.server(), admin, "PATCH", path, {{"operator_id", 1}}).status == 200);
    CHECK(pump_until(
        [&] {
            return rows_have(client, [&](const RequestRow& r) {
                return r.number == number && r.status == "assigned to Admin" &&
                       r.title == "Printer on fire";
            });
        },
        seconds(5)));

    REQUIRE(as_admin(scene.server(), admin, "POST", path + "/close").status == 200);
    CHECK(pump_until(
        [&] {
            return rows_have(client, [&](const RequestRow& r) {
                return r.number == number && r.status == "closed";
            });
        },
        seconds(5)));
    // Shown in the list itself, not only in the rows behind it.
    auto* list = client.frame()->requests_view();
    REQUIRE(list->GetItemCount() == 1);
    CHECK(list->GetItemText(0, 0) == wxString::Format("%lld", number));
    CHECK(list->GetItemText(0, 2) == "closed");
}
