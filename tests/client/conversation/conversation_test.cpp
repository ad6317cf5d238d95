// The conversation's data as the server sends it (parsed, texts made safe to show), the
// words of refusals, the checks of a reply's text, the file name's encoding and the
// ticket-message event.

#include "client/core/conversation.h"

#include <catch2/catch.hpp>

#include "client/core/event_stream.h"
#include "client/core/my_requests.h"

namespace helpline::test {
namespace {

using client::Conversation;

const char* kAnswer = R"({
  "number": 1042, "status": "open", "description": "Printer on fire\nSecond line",
  "created_at": "2026-11-25T03:21:04Z",
  "messages": [
    {"id": 12, "ticket_number": 1042, "author": "customer", "author_name": null,
     "body": "It is a LaserJet", "internal": false, "created_at": "2026-11-25T03:30:00Z",
     "attachments": [{"id": 9, "ticket_number": 1042, "message_id": 12, "name": "photo.jpg",
                      "size": 1153433, "type": "image/jpeg", "image": true,
                      "sha256": "ab", "internal": false, "author": "customer",
                      "created_at": "2026-11-25T03:30:00Z", "removed": false}]},
    {"id": 11, "ticket_number": 1042, "author": "team", "author_name": "Ana",
     "body": "Which model?", "internal": false, "created_at": "2026-11-25T03:25:00Z",
     "attachments": []}
  ],
  "attachments": [{"id": 7, "ticket_number": 1042, "message_id": null, "name": "screen.png",
                   "size": 251187, "type": "image/png", "image": true, "sha256": "cd",
                   "internal": false, "author": "customer",
                   "created_at": "2026-11-25T03:21:05Z", "removed": false}],
  "read_message_id": 0, "replies_reopen": false
})";

client::SseEvent sse(const std::string& type, const std::string& data) {
    return client::SseEvent{"5", type, data};
}

client::ApiReply problem(long status, std::string code = {}, std::string detail = {}) {
    client::ApiReply r;
    r.status = status;
    r.code = std::move(code);
    r.detail = std::move(detail);
    return r;
}

}  // namespace

TEST_CASE("a conversation is read with its messages oldest first and its files") {
    auto c = client::parse_conversation(nlohmann::json::parse(kAnswer));
    REQUIRE(c.ok());
    CHECK(c->number == 1042);
    CHECK(c->status == "open");
    CHECK(c->description == "Printer on fire\nSecond line");
    REQUIRE(c->messages.size() == 2);
    CHECK(c->messages[0].id == 11);
    CHECK(c->messages[0].from_team());
    CHECK(c->messages[0].author_name == "Ana");
    CHECK(c->messages[1].author_name.empty());
    REQUIRE(c->messages[1].attachments.size() == 1);
    CHECK(c->messages[1].attachments[0].name == "photo.jpg");
    CHECK(c->messages[1].attachments[0].message_id == 12);
    REQUIRE(c->attachments.size() == 1);
    CHECK(c->attachments[0].id == 7);
    CHECK(c->attachments[0].message_id == 0);
    CHECK(c->attachments[0].size == 251187);
    CHECK(c->attachments[0].image);
    CHECK(c->newest_message_id() == 12);
    CHECK(c->unread_count() == 1);  // Ana's question
    CHECK(c->accepts_replies());

    c->read_message_id = 11;
    CHECK(c->unread_count() == 0);
    c->status = "closed";
    CHECK_FALSE(c->accepts_replies());
    c->replies_reopen = true;
    CHECK(c->accepts_replies());
}

TEST_CASE("texts from the server lose control characters, and a message's body keeps its lines") {
    auto doc = nlohmann::json::parse(kAnswer);
    doc["messages"][1]["author_name"] = "Ana\x1b[2J\r\u202Eevil";
    doc["messages"][1]["body"] = "line one\n\tline two\x1b]0;title\x07\r";
    doc["attachments"][0]["name"] = "a\nb.png";
    const auto c = client::parse_conversation(doc);
    REQUIRE(c.ok());
    CHECK(c->messages[0].author_name == "Ana[2Jevil");
    CHECK(c->messages[0].body == "line one\n\tline two]0;title");
    CHECK(c->attachments[0].name == "ab.png");
    CHECK(client::shown_text("a\nb", 100, true) == "a\nb");
    CHECK(client::shown_text("a\nb", 100) == "ab");
    CHECK(client::shown_text("\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9");  // cut on a character
}

TEST_CASE("an answer that is not a conversation is an error naming what is wrong") {
    auto doc = nlohmann::json::parse(kAnswer);
    doc["messages"][0].erase("body");
    auto c = client::parse_conversation(doc);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == client::conversation_error::kBadAnswer);
    CHECK_THAT(c.error().message, Catch::Contains("message has no body"));

    CHECK_FALSE(client::parse_conversation(nlohmann::json::array()).ok());
    doc = nlohmann::json::parse(kAnswer);
    doc["attachments"][0]["size"] = "big";
    c = client::parse_conversation(doc);
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(c.error().message, Catch::Contains("size that is not an integer"));
}

TEST_CASE("refusals become errors in words: not this device's, closed, removed, refused, busy") {
    using namespace client::conversation_error;
    CHECK(client::answer_error(problem(404), 1042).code == kNotFound);
    CHECK(client::answer_error(problem(404), 1042).message ==
          "Request 1042 is not one of this computer's requests.");
    const auto closed = client::answer_error(
        problem(409, "ticket_closed", "This ticket is closed; send a new request."), 1042);
    CHECK(closed.code == kClosed);
    CHECK(closed.message == "This ticket is closed; send a new request.");
    CHECK(client::answer_error(problem(410, "attachment_removed"), 0).code == kRemoved);
    CHECK(client::answer_error(problem(400, {}, "body is too long"), 1).code == kRefused);
    CHECK(client::answer_error(problem(503), 1).code == kServer);
    CHECK(client::answer_error(problem(429), 1).code == kServer);
}

TEST_CASE("a reply's text is checked as the server checks it") {
    CHECK(client::check_reply_text("Thanks!", false).empty());
    CHECK(client::check_reply_text("", true).empty());  // files alone are a reply
    CHECK(client::check_reply_text("  \n ", false) == "is empty: write a message or attach a file");
    CHECK(client::check_reply_text(std::string(10'000, 'a'), false).empty());
    CHECK(client::check_reply_text(std::string(10'001, 'a'), false) ==
          "is too long: at most 10000 characters, this one has 10001");
    std::string accents;
    for (int i = 0; i < 10'000; ++i) accents += "\xC3\xA9";  // counted as characters
    CHECK(client::check_reply_text(accents, false).empty());
    CHECK_FALSE(client::check_reply_text(std::string("a\0b", 3), false).empty());
}

TEST_CASE("the file name travels percent-encoded") {
    CHECK(client::percent_encode("screen shot.png") == "screen%20shot.png");
    CHECK(client::percent_encode("relat\xC3\xB3rio_1~v2-a.pdf") == "relat%C3%B3rio_1~v2-a.pdf");
    CHECK(client::percent_encode("../../x") == "..%2F..%2Fx");
    CHECK(client::percent_encode("a\r\nb") == "a%0D%0Ab");
}

TEST_CASE("a ticket-message event carries the team's message") {
    const auto decoded = client::decode_device_event(sse(
        "ticket-message",
        R"({"number":1042,"message":{"id":11,"ticket_number":1042,"author":"team","author_name":"Ana","body":"Which model?\nThanks","internal":false,"created_at":"2026-11-25T03:25:00Z","attachments":[]}})"));
    REQUIRE(decoded.ok());
    REQUIRE(decoded->has_value());
    const auto& m = std::get<client::TicketMessage>(**decoded);
    CHECK(m.number == 1042);
    CHECK(m.message.id == 11);
    CHECK(m.message.author_name == "Ana");
    CHECK(m.message.body == "Which model?\nThanks");

    const auto bad = client::decode_device_event(sse("ticket-message", R"({"number":1042})"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == client::event_error::kBadData);
}

TEST_CASE("My requests counts unread team messages: from the server, live, and read") {
    auto list = client::parse_my_tickets(nlohmann::json::parse(
        R"({"tickets":[{"number":1042,"status":"open","unread":2},{"number":1041,"status":"closed"}]})"));
    REQUIRE(list.ok());
    CHECK(list->at(0).unread == 2);
    CHECK(list->at(1).unread == 0);  // an older server says nothing

    client::MyRequests mine;
    int changes = 0;
    mine.on_change([&changes] { ++changes; });
    mine.set(*list);
    CHECK(mine.note_team_message(1042));
    CHECK(mine.snapshot().at(0).unread == 3);
    CHECK_FALSE(mine.note_team_message(999));  // not in the list: the caller refreshes
    mine.note_read(1042);
    CHECK(mine.snapshot().at(0).unread == 0);
    mine.note_read(1042);  // nothing changed: no listener call
    CHECK(changes == 3);
}

}  // namespace helpline::test
