#include "client/core/sse_parser.h"

#include <catch2/catch.hpp>

using helpline::client::SseEvent;
using helpline::client::SseLimits;
using helpline::client::SseParser;

using namespace std::string_literals;

namespace {

// A stream with every feature the parser must handle: all three line ends, a BOM,
// comments (the heartbeat), multi-line data, ids that carry over, an event without a
// type, a block without data, fields without a value or a space, unknown fields, retry.
const std::string kSample =
    "\xEF\xBB\xBF"
    ": ping\n"
    "\n"
    "id: 17\n"
    "event: connection-request\n"
    "data: {\"id\":\"9f\",\"ticket_number\":1042}\n"
    "\n"
    ": ping\r\n"
    "\r\n"
    "event: ticket-updated\r\n"
    "data:{\"number\":1042}\r\n"
    "data:  indented\r\n"
    "\r\n"
    "id: 18\r"
    "retry: 10\r"
    "data\r"
    "\r"
    "id: 19\n"
    "event: only-type\n"
    "\n"
    "whatever: ignored\n"
    "data: last\n"
    "\n";

const std::vector<SseEvent> kExpected = {
    {"17", "connection-request", "{\"id\":\"9f\",\"ticket_number\":1042}"},
    {"17", "ticket-updated", "{\"number\":1042}\n indented"},
    {"18", "message", ""},
    {"19", "message", "last"},
};

std::vector<SseEvent> feed_in_pieces(const std::string& stream,
                                     const std::vector<std::size_t>& cuts, SseParser& parser) {
    std::vector<SseEvent> out;
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
        parser.feed(std::string_view(stream).substr(from, cut - from), out);
        from = cut;
    }
    parser.feed(std::string_view(stream).substr(from), out);
    return out;
}

}  // namespace

TEST_CASE("the sample stream parses into its events in one piece") {
    SseParser parser;
    CHECK(parser.feed(kSample) == kExpected);
    CHECK(parser.last_event_id() == "19");
    CHECK(parser.dropped() == 0);
}

TEST_CASE("a chunk boundary at every byte of the sample stream gives the same events") {
    for (std::size_t cut = 0; cut <= kSample.size(); ++cut) {
        SseParser parser;
        INFO("cut at byte " << cut);
        REQUIRE(feed_in_pieces(kSample, {cut}, parser) == kExpected);
        CHECK(parser.last_event_id() == "19");
    }
}

TEST_CASE("two chunk boundaries anywhere in the sample stream give the same events") {
    for (std::size_t a = 0; a <= kSample.size(); a += 3) {
        for (std::size_t b = a; b <= kSample.size(); b += 5) {
            SseParser parser;
            INFO("cuts at " << a << " and " << b);
            REQUIRE(feed_in_pieces(kSample, {a, b}, parser) == kExpected);
        }
    }
}

TEST_CASE("the sample stream fed one byte at a time gives the same events") {
    SseParser parser;
    std::vector<SseEvent> out;
    for (const char c : kSample) parser.feed(std::string_view(&c, 1), out);
    CHECK(out == kExpected);
}

TEST_CASE("line ends, comments and fields follow the event-stream rules") {
    struct Case {
        const char* name;
        std::string stream;
        std::vector<SseEvent> events;
    };
    const std::vector<Case> cases = {
        {"LF", "data: a\n\n", {{"", "message", "a"}}},
        {"CRLF", "data: a\r\n\r\n", {{"", "message", "a"}}},
        {"CR", "data: a\r\r", {{"", "message", "a"}}},
        {"CR then LF is one line end, not two",
         "data: a\r\ndata: b\r\n\r\n",
         {{"", "message", "a\nb"}}},
        {"LF CR is two line ends",
         "data: a\n\rdata: b\n\n",
         {{"", "message", "a"}, {"", "message", "b"}}},
        {"a comment is ignored", ": ping\n\n: ping\n\n", {}},
        {"a comment inside an event is ignored",
         "data: a\n: ping\ndata: b\n\n",
         {{"", "message", "a\nb"}}},
        {"only one space after the colon is dropped", "data:   a\n\n", {{"", "message", "  a"}}},
        {"no space after the colon", "data:a\n\n", {{"", "message", "a"}}},
        {"a colon in the value stays", "data: {\"a\":1}\n\n", {{"", "message", "{\"a\":1}"}}},
        {"a field without a colon has an empty value", "data\ndata\n\n", {{"", "message", "\n"}}},
        {"an event without data is not dispatched", "event: x\nid: 4\n\n", {}},
        {"the type does not carry over",
         "event: x\ndata: 1\n\ndata: 2\n\n",
         {{"", "x", "1"}, {"", "message", "2"}}},
        {"the id carries over",
         "id: 4\ndata: 1\n\ndata: 2\n\n",
         {{"4", "message", "1"}, {"4", "message", "2"}}},
        {"an empty id resets it",
         "id: 4\ndata: 1\n\nid\ndata: 2\n\n",
         {{"4", "message", "1"}, {"", "message", "2"}}},
        {"an id holding NUL is ignored",
         "id: 4\ndata: 1\n\nid: 5\0x\ndata: 2\n\n"s,
         {{"4", "message", "1"}, {"4", "message", "2"}}},
        {"unknown fields and retry are ignored",
         "foo: bar\nretry: 5\ndata: a\n\n",
         {{"", "message", "a"}}},
        {"an event cut off by the end of the stream is not dispatched", "data: a\n", {}},
        {"a BOM only at the very start",
         "\xEF\xBB\xBF"
         "data: a\n\n",
         {{"", "message", "a"}}},
        {"a partial BOM is text",
         "\xEF\xBB"
         "data: a\n\n",
         {}},
        {"blank lines between events do nothing", "\n\n\ndata: a\n\n\n\n", {{"", "message", "a"}}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        SseParser parser;
        CHECK(parser.feed(c.stream) == c.events);
    }
}

TEST_CASE("an id on a block without data still becomes the last event id") {
    SseParser parser;
    CHECK(parser.feed("id: 30\n\n").empty());
    CHECK(parser.last_event_id() == "30");
}

TEST_CASE("a line longer than the cap drops its event and the stream goes on") {
    SseParser parser(SseLimits{16, 64});
    const auto events = parser.feed("data: " + std::string(40, 'x') + "\n\ndata: ok\n\n");
    CHECK(events == std::vector<SseEvent>{{"", "message", "ok"}});
    CHECK(parser.dropped() == 1);
}

TEST_CASE("an overlong comment costs nothing") {
    SseParser parser(SseLimits{16, 64});
    const auto events = parser.feed(": " + std::string(100, 'p') + "\ndata: ok\n\n");
    CHECK(events == std::vector<SseEvent>{{"", "message", "ok"}});
    CHECK(parser.dropped() == 0);
}

TEST_CASE("an event whose data passes the cap is dropped whole") {
    SseParser parser(SseLimits{64, 20});
    std::string stream;
    for (int i = 0; i < 5; ++i) stream += "data: 0123456789\n";
    stream += "\ndata: next\n\n";
    CHECK(parser.feed(stream) == std::vector<SseEvent>{{"", "message", "next"}});
    CHECK(parser.dropped() == 1);
}

TEST_CASE("a huge line fed in small chunks keeps memory bounded and is dropped") {
    SseParser parser(SseLimits{1024, 4096});
    const std::string chunk(1000, 'z');
    std::vector<SseEvent> out;
    parser.feed("data: ", out);
    for (int i = 0; i < 1000; ++i) parser.feed(chunk, out);  // a megabyte without a line end
    parser.feed("\n\ndata: after\n\n", out);
    CHECK(out == std::vector<SseEvent>{{"", "message", "after"}});
    CHECK(parser.dropped() == 1);
}

TEST_CASE("restart drops a half-received event and keeps the last id") {
    SseParser parser;
    CHECK(parser.feed("id: 7\ndata: whole\n\nid: 8\ndata: half").size() == 1);
    parser.restart();
    CHECK(parser.last_event_id() == "7");
    CHECK(parser.feed("data: fresh\n\n") == std::vector<SseEvent>{{"7", "message", "fresh"}});
}
