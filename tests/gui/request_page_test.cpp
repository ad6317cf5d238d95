// A request's page alone (no server: the actions are recorded): the conversation in order
// with its authors, the read mark once the newest message is on screen, a live message at
// the bottom, a closed request without a reply box, and a reply's way — refused in the
// customer's words when empty, pending once saved, the text back with the server's words
// when refused.
#include "client/gui/request_page.h"

#include <wx/button.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <catch2/catch.hpp>

#include "client/gui/i18n.h"
#include "tests/gui/conversation_samples.h"
#include "tests/gui/wx_fixture.h"
#include "tests/support/fixtures.h"

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;
using std::chrono::seconds;

namespace {

struct Page {
    Page() {
        RequestPageActions actions;
        actions.reload = [this](std::int64_t n) { reloads.push_back(n); };
        actions.mark_read = [this](std::int64_t, std::int64_t id) { marked.push_back(id); };
        actions.reply = [this](std::int64_t n, const std::string& text,
                               const std::vector<client::AttachmentFile>& files) {
            replies.push_back({n, text, files.size()});
        };
        actions.new_request = [this] { ++new_requests; };
        PickerSetup picker;
        picker.screenshot_dir = dir / "shots";
        page = new RequestPage(1042, "Demo Support", std::move(actions), std::move(picker));
        page->Show();
    }
    ~Page() {
        if (page) page->Destroy();
        pump_until([] { return false; }, std::chrono::milliseconds(20));
    }
    struct Reply {
        std::int64_t number;
        std::string text;
        std::size_t files;
    };
    helpline::test::TempDir dir;
    wxWeakRef<RequestPage> page;
    std::vector<std::int64_t> reloads;
    std::vector<std::int64_t> marked;
    std::vector<Reply> replies;
    int new_requests = 0;
};

}  // namespace

TEST_CASE(
    "a request's page shows the description first, then the messages oldest first with \"You\" "
    "and the operator's name, once the newest is on screen it is marked read",
    "[request-page]") {
    Page p;
    CHECK(p.page->status_text() == wxString::FromUTF8("Loading the conversation\u2026"));
    const auto c = sample_conversation(std::chrono::system_clock::now());
    p.page->show_conversation(c);
    p.page->set_status("open", "Ana Costa");
    CHECK(p.page->status_text() == "Status: assigned to Ana Costa");
    const auto& entries = p.page->view()->entries();
    REQUIRE(entries.size() == 4);
    CHECK(entries[0].author == "You");
    CHECK(entries[0].body == "The printer in room 4 prints blank pages since this morning.");
    CHECK(entries[0].files ==
          std::vector<wxString>{"screenshot-2026-12-06-091204.png (293.1 KiB)"});
    CHECK_FALSE(entries[0].time.empty());
    CHECK(entries[1].author == "Ana Costa (support team)");
    CHECK(entries[1].from_team);
    CHECK(entries[2].author == "You");
    CHECK(entries[2].body == "It is a LaserJet M404.\nThe test page is blank too.");
    CHECK(entries[3].author == "Ana Costa (support team)");
    CHECK(entries[3].time.StartsWith("Today, "));
    CHECK(entries[3].files == std::vector<wxString>{"cleaning-guide.pdf (1.2 MiB)"});

    // Message 13 is newer than the read mark (12): shown, it is marked read, once.
    REQUIRE(pump_until([&] { return !p.marked.empty(); }, seconds(5)));
    CHECK(p.marked == std::vector<std::int64_t>{13});
    CHECK(p.page->view()->shows_newest());

    // A team message arriving live goes at the bottom (once, however often it comes).
    client::Message live;
    live.id = 14;
    live.ticket_number = 1042;
    live.author = "team";
    live.author_name = "Bruno";
    live.body = "Did the guide help?";
    live.created_at = client::format_utc(std::chrono::system_clock::now());
    p.page->add_message(live);
    p.page->add_message(live);
    REQUIRE(p.page->view()->entries().size() == 5);
    CHECK(p.page->view()->entries().back().author == "Bruno (support team)");
    CHECK(p.page->view()->entries().back().body == "Did the guide help?");
    REQUIRE(pump_until([&] { return p.marked.size() == 2; }, seconds(5)));
    CHECK(p.marked.back() == 14);
    CHECK(p.page->view()->shows_newest());
}

TEST_CASE(
    "a closed request has no reply box but the way to a new request, one whose replies reopen it "
    "keeps the box",
    "[request-page]") {
    Page p;
    auto c = sample_conversation(std::chrono::system_clock::now());
    c.status = "closed";
    p.page->show_conversation(c);
    CHECK(p.page->status_text() == "Status: closed");
    CHECK_FALSE(p.page->reply_box()->IsShown());
    CHECK_FALSE(p.page->send_button()->IsShown());
    auto* closed = dynamic_cast<wxStaticText*>(p.page->FindWindow("closed"));
    REQUIRE(closed != nullptr);
    CHECK(closed->IsShown());
    CHECK(closed->GetLabel() ==
          "This request is closed. To ask for more help, send a new request.");
    auto* again = p.page->FindWindow("new-request");
    REQUIRE(again->IsShown());
    wxCommandEvent click(wxEVT_BUTTON, again->GetId());
    click.SetEventObject(again);
    again->GetEventHandler()->ProcessEvent(click);
    CHECK(p.new_requests == 1);
    p.page->press_send();
    CHECK(p.replies.empty());

    c.replies_reopen = true;
    p.page->show_conversation(c);
    CHECK(p.page->reply_box()->IsShown());
    CHECK(p.page->reply_box()->IsEnabled());
    CHECK_FALSE(closed->IsShown());
}

TEST_CASE(
    "a reply: an empty one is refused in the customer's words, saved, it shows as not sent yet "
    "until delivered, refused by the server, its text comes back with the server's words",
    "[request-page]") {
    Page p;
    p.page->show_conversation(sample_conversation(std::chrono::system_clock::now()));
    p.page->press_send();
    CHECK(p.replies.empty());
    CHECK(p.page->notice_text() == "Please write your reply, or attach a file.");

    p.page->reply_box()->ChangeValue("It worked, thank you!");
    p.page->press_send();
    REQUIRE(p.replies.size() == 1);
    CHECK(p.replies[0].number == 1042);
    CHECK(p.replies[0].text == "It worked, thank you!");
    CHECK(p.page->notice_text().empty());
    CHECK_FALSE(p.page->send_button()->IsEnabled());  // being saved

    client::OutboxEntry entry;
    entry.key = "5f0b7a8e-2a0c-4d3e-9a51-0d4f3f1a2b3c";
    entry.reply_to = 1042;
    entry.body = {{"body", "It worked, thank you!"}};
    p.page->reply_saved(entry);
    CHECK(p.page->reply_box()->IsEmpty());
    CHECK(p.page->send_button()->IsEnabled());
    REQUIRE(p.page->view()->entries().back().pending);
    CHECK(p.page->view()->entries().back().body == "It worked, thank you!");
    CHECK(p.page->view()->entries().back().time == wxString::FromUTF8("Sending\u2026"));

    client::Delivery waiting;
    waiting.state = client::Delivery::State::pending;
    p.page->reply_attempted(entry, waiting);
    CHECK(p.page->view()->entries().back().time ==
          "Not sent yet: it will be sent when the connection is back");

    client::Delivery refused;
    refused.state = client::Delivery::State::refused;
    refused.detail = "This ticket is closed; send a new request.";
    p.page->reply_attempted(entry, refused);
    CHECK_FALSE(p.page->view()->entries().back().pending);
    CHECK(p.page->reply_box()->GetValue() == "It worked, thank you!");
    CHECK(p.page->notice_text() == "This ticket is closed; send a new request.");
    CHECK(p.reloads == std::vector<std::int64_t>{1042});

    p.page->reply_saved(entry);
    client::Delivery delivered;
    delivered.state = client::Delivery::State::delivered;
    delivered.number = 1042;
    delivered.message_id = 15;
    p.page->reply_attempted(entry, delivered);
    CHECK(p.reloads == std::vector<std::int64_t>{1042, 1042});
    // Shown as sent once the conversation read again has it.
    auto c = sample_conversation(std::chrono::system_clock::now());
    client::Message sent;
    sent.id = 15;
    sent.author = "customer";
    sent.body = "It worked, thank you!";
    sent.created_at = client::format_utc(std::chrono::system_clock::now());
    c.messages.push_back(sent);
    p.page->show_conversation(c);
    CHECK_FALSE(p.page->view()->entries().back().pending);
    CHECK(p.page->view()->entries().back().body == "It worked, thank you!");
    CHECK(p.page->view()->entries().size() == 5);
}

TEST_CASE("the request's page reads in the customer's language", "[request-page][i18n]") {
    REQUIRE(init_translations("it") == "it");
    {
        Page p;
        auto c = sample_conversation(std::chrono::system_clock::now());
        c.status = "closed";
        p.page->show_conversation(c);
        CHECK(p.page->status_text() == "Stato: chiusa");
        CHECK(p.page->view()->entries()[0].author == "Tu");
        CHECK(p.page->view()->entries()[1].author == "Ana Costa (team di assistenza)");
        CHECK(dynamic_cast<wxStaticText*>(p.page->FindWindow("closed"))->GetLabel() ==
              wxString::FromUTF8("Questa richiesta \u00e8 chiusa. Per avere altro aiuto, invia una "
                                 "nuova richiesta."));
    }
    REQUIRE(init_translations("en") == "en");
}
