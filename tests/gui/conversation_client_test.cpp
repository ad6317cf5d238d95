// Conversations in the whole GUI client under Xvfb against the real helpline-server: a request
// with files saved offline and delivered exactly once when the server comes back; an
// operator's message arriving live (a desktop notification, "1 new" in My requests), read
// on the request's page (the operator's name, the image as a thumbnail from the cache, the
// read mark on the server); a reply with a file from the page; a closed ticket's refusal
// in the server's words.
#include <wx/button.h>
#include <wx/textctrl.h>
#include <wx/uiaction.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "client/core/outbox.h"
#include "tests/client/events/team_server.h"
#include "tests/gui/client_actions.h"
#include "tests/gui/client_scene.h"
#include "tests/gui/conversation_samples.h"
#include "tests/gui/conversation_team.h"

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;
using helpline::test::create_ticket;
using std::chrono::seconds;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> outbox_files(const ClientScene& scene) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(scene.paths().state / "outbox", ec))
        if (e.is_regular_file()) out.push_back(e.path());
    return out;
}

const RequestRow* row_of(Client& client, std::int64_t number) {
    for (const auto& row : client.frame()->requests_view()->rows())
        if (row.number == number) return &row;
    return nullptr;
}

}  // namespace

TEST_CASE(
    "offline, a request with a screenshot and a file is saved with copies of them, once the "
    "server is up it is delivered exactly once: one ticket, each file once with its SHA-256",
    "[gui][conversation][offline]") {
    ClientScene scene({}, /*start_server=*/false);
    Client& client = scene.open();
    REQUIRE(
        pump_until([&] { return client.frame()->link_text().StartsWith("Offline"); }, seconds(20)));
    const auto shot = sample_screenshot(scene.dir().path(), "printer error.png");
    const auto log = sample_file(scene.dir().path(), "printer.log", 300'000);
    const std::string shot_sha = sha256_of_file(shot);
    const std::string log_sha = sha256_of_file(log);

    AssistanceDialog* form = client.open_assistance();
    REQUIRE(pump_until([&] { return form->IsShownOnScreen(); }));
    client::TicketDraft draft;
    draft.email = "bruno@acme.example";
    draft.description = "The printer shows an error.";
    form->fill(draft);
    form->attachments()->add_files({shot, log});
    REQUIRE(form->attachments()->files().size() == 2);
    form->press_send();
    REQUIRE(pump_until(
        [&] { return client.form() && client.form()->result_text() == "Your request is saved"; },
        seconds(10)));
    // The outbox holds the request and copies of both files: the customer's may go now.
    const auto saved = outbox_files(scene);
    CHECK(saved.size() == 3);
    fs::remove(log);

    scene.server().start();
    REQUIRE(pump_until(
        [&] { return rows_have(client, [](const RequestRow& r) { return r.number > 0; }); },
        seconds(30)));
    REQUIRE(pump_until([&] { return outbox_files(scene).empty(); }, seconds(20)));
    REQUIRE(pump_until(
        [&] {
            return client.form() &&
                   client.form()->result_text().StartsWith("Your request number is");
        },
        seconds(10)));
    Team team(scene.server());
    const auto tickets = team.queue();
    REQUIRE(tickets.size() == 1);
    const auto number = tickets[0].at("number").get<std::int64_t>();
    const auto c = team.conversation(number);
    CHECK(c.at("description") == "The printer shows an error.");
    CHECK(c.at("messages").empty());
    REQUIRE(c.at("attachments").size() == 2);
    CHECK(c.at("attachments")[0].at("name") == "printer error.png");
    CHECK(c.at("attachments")[0].at("sha256") == shot_sha);
    CHECK(c.at("attachments")[0].at("image") == true);
    CHECK(c.at("attachments")[1].at("name") == "printer.log");
    CHECK(c.at("attachments")[1].at("sha256") == log_sha);
    CHECK(c.at("attachments")[1].at("size") == 300'000);

    // Nothing more goes: the outbox is empty, and the server has the one ticket.
    CHECK(team.queue().size() == 1);
    CHECK(team.conversation(number).at("attachments").size() == 2);
}

TEST_CASE(
    "an operator's message arrives live: a notification, \"1 new\" in My requests, the request's "
    "page shows it with the operator's name and the image as a thumbnail, and marks it read",
    "[gui][conversation]") {
    std::vector<std::pair<wxString, wxString>> notifications;
    ClientOptions options;
    options.on_notification = [&](const wxString& title, const wxString& text) {
        notifications.emplace_back(title, text);
    };
    ClientScene scene;
    Client& client = scene.open({}, std::move(options));
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    const auto number = create_ticket(scene.server(), scene.device_token());
    Team team(scene.server());
    const std::string picture = helpline::test::read_text(sample_screenshot(scene.dir().path()));
    const auto message = team.write(number, "Which model is it?\nThe label is on the back.",
                                    "printer.png", picture, "image/png");

    const wxString said = wxString::Format(
        wxString::FromUTF8("Admin wrote on your request %lld: \u201cWhich model is it?\u201d"),
        static_cast<long long>(number));
    REQUIRE(pump_until([&] { return !notifications.empty(); }, seconds(10)));
    CHECK(notifications.front().first == "Demo Support");
    CHECK(notifications.front().second == said);
    CHECK(client.frame()->notice_text() == said);
    REQUIRE(pump_until(
        [&] {
            const auto* row = row_of(client, number);
            return row != nullptr && row->unread == 1;
        },
        seconds(10)));
    auto* list = client.frame()->requests_view();
    CHECK(list->GetItemText(0, 3) == "1 new");

    // Double-click opens the request's page.
    RequestPage* page = nullptr;
    {
        const wxRect r = [&] {
            wxRect item;
            list->GetItemRect(0, item);
            return item;
        }();
        const wxPoint at = list->ClientToScreen(wxPoint(r.x + 30, r.y + r.height / 2));
        for (int attempt = 0; attempt < 5 && page == nullptr; ++attempt) {
            wxUIActionSimulator sim;
            sim.MouseMove(at);
            pump_until([] { return false; }, std::chrono::milliseconds(50));
            sim.MouseDblClick();
            pump_until([&] { return (page = client.pages().page(number)) != nullptr; }, seconds(2));
        }
    }
    REQUIRE(page != nullptr);
    REQUIRE(pump_until([&] { return page->conversation().has_value(); }, seconds(10)));
    const auto& entries = page->view()->entries();
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].author == "You");
    CHECK(entries[1].author == "Admin (support team)");
    CHECK(entries[1].body == "Which model is it?\nThe label is on the back.");
    CHECK(entries[1].time.StartsWith("Today, "));
    const auto attachment_id = message.at("attachments")[0].at("id").get<std::int64_t>();
    // The image, downloaded into the cache folder, as a thumbnail.
    REQUIRE(pump_until([&] { return page->view()->has_thumbnail(attachment_id); }, seconds(10)));
    const fs::path cache = cache_folder(client.brand().profile.id, "attachments");
    bool cached = false;
    for (const auto& e : fs::directory_iterator(cache))
        if (e.path().filename().string().rfind(std::to_string(attachment_id) + "-", 0) == 0)
            cached = sha256_of_file(e.path()) == sha256_hex(picture);
    CHECK(cached);

    // Shown, it is read: on the server, and in My requests.
    const auto message_id = message.at("id").get<std::int64_t>();
    CHECK(helpline::test::wait_for(
        [&] {
            return device_conversation(scene.server(), scene.device_token(), number)
                       .at("read_message_id") == message_id;
        },
        seconds(10)));
    CHECK(pump_until(
        [&] {
            const auto* row = row_of(client, number);
            return row != nullptr && row->unread == 0;
        },
        seconds(10)));

    // The next message comes to the open page live, without a reload.
    team.write(number, "Are you there?");
    REQUIRE(pump_until([&] { return page->view()->entries().size() == 3; }, seconds(10)));
    CHECK(page->view()->entries()[2].body == "Are you there?");
}

TEST_CASE(
    "a reply with a file from the request's page reaches the team, once the ticket is closed a "
    "reply is refused in the server's words and its text stays",
    "[gui][conversation]") {
    ClientScene scene;
    Client& client = scene.open();
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    const auto number = create_ticket(scene.server(), scene.device_token());
    Team team(scene.server());
    team.write(number, "Which model is it?");
    RequestPage* page = client.open_request(number);
    REQUIRE(pump_until([&] { return page->conversation().has_value(); }, seconds(10)));
    REQUIRE(page->view()->entries().size() == 2);

    const auto log = sample_file(scene.dir().path(), "model label.txt", 4'000);
    type_into(page->reply_box(), "It is a LaserJet M404");
    page->attachments()->add_files({log});
    click_until(page->send_button(), [&] { return page->reply_box()->IsEmpty(); });
    REQUIRE(pump_until([&] { return team.conversation(number).at("messages").size() == 2; },
                       seconds(15)));
    const auto c = team.conversation(number);
    const auto& reply = c.at("messages")[1];
    CHECK(reply.at("author") == "customer");
    CHECK(reply.at("body") == "It is a LaserJet M404");
    REQUIRE(reply.at("attachments").size() == 1);
    CHECK(reply.at("attachments")[0].at("name") == "model label.txt");
    CHECK(reply.at("attachments")[0].at("sha256") == sha256_of_file(log));
    // On the page: the reply, no longer pending, once the conversation is read again.
    REQUIRE(pump_until(
        [&] {
            const auto& e = page->view()->entries();
            return e.size() == 3 && !e.back().pending && e.back().author == "You";
        },
        seconds(10)));
    CHECK(page->view()->entries().back().files ==
          std::vector<wxString>{"model label.txt (3.9 KiB)"});
    CHECK(page->attachments()->files().empty());

    // Closed while the page still offers the box (before its ticket-updated event is seen).
    team.close(number);
    page->reply_box()->ChangeValue("One more thing");
    page->press_send();
    const std::string refusal = "Request " + std::to_string(number) +
                                " is closed: replies to it are not taken. Send a new request from "
                                "the Assistance window, and mention this number.";
    const bool refused =
        pump_until([&] { return page->notice_text() == wxString::FromUTF8(refusal); }, seconds(15));
    INFO("notice: " << page->notice_text().utf8_string()
                    << "; entries: " << page->view()->entries().size() << "; client.log: "
                    << helpline::test::read_text(scene.paths().state / "client.log"));
    REQUIRE(refused);
    CHECK(page->reply_box()->GetValue() == "One more thing");
    CHECK(team.conversation(number).at("messages").size() == 2);
    // The page now knows it is closed: the way to a new request.
    CHECK(pump_until([&] { return page->status_text() == "Status: closed"; }, seconds(10)));
    CHECK(page->FindWindow("new-request")->IsShown());
    CHECK(client::Outbox(scene.paths().state / "outbox",
                         client::RequestLog(scene.paths().state / "requests.log"))
              .pending()
              .empty());
}
