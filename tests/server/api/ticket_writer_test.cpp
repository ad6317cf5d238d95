// The ticket writer gives the bytes of ticket_json(...).dump(), for every kind of ticket
// and every kind of text a customer or an admin can type (server/api/ticket_writer.h).
#include <catch2/catch.hpp>
#include <random>

#include "server/api/services.h"
#include "server/api/ticket_writer.h"

using namespace helpline::server;
using namespace helpline::server::api;

namespace {

Directory directory() {
    Directory d;
    User ana;
    ana.id = 3;
    ana.name = "Ana \"Quotes\" Lopes\\";
    d.users[3] = ana;
    User emoji;
    emoji.id = 4;
    emoji.name = "Bruno 🙂 \xE2\x80\xAE reversed";
    d.users[4] = emoji;
    d.groups["helpdesk"] = Group{"helpdesk", "Help desk <b>"};
    d.organizations["acme.example"] = "Acme\tCorp\n";
    return d;
}

std::string written(const Ticket& t, const Directory& d, Timestamp now, bool online) {
    std::string out;
    write_ticket_json(out, t, d, now, online);
    return out;
}

}  // namespace

TEST_CASE("the writer's bytes are ticket_json's, for open, assigned, closed and expired tickets") {
    const auto d = directory();
    Ticket t;
    t.number = 1042;
    t.email = "ana@acme.example";
    t.subject = "Printer \"big\" one";
    t.description = "Line one\nline two\ttab \\ backslash </script> <img src=x onerror=1> \x01\x1f\x7f é 🙂";
    t.created_at = 1'780'000'000;
    t.updated_at = 1'780'000'100;
    for (const bool online : {false, true}) {
        CHECK(written(t, d, t.created_at + 754, online) == ticket_json(t, d, t.created_at + 754, online).dump());
    }
    t.group_id = "helpdesk";
    t.operator_id = 3;
    t.assigned_at = 1'780'000'050;
    t.priority = helpline::Priority::urgent;
    CHECK(written(t, d, t.created_at + 5, true) == ticket_json(t, d, t.created_at + 5, true).dump());
    t.group_id = "deleted-group";  // a name the directory does not know shows as its id
    t.operator_id = 99;
    CHECK(written(t, d, t.created_at + 5, false) == ticket_json(t, d, t.created_at + 5, false).dump());
    t.operator_id = 4;
    t.status = TicketStatus::closed;
    t.closed_at = 1'780'001'000;
    t.closed_by = 4;
    CHECK(written(t, d, t.created_at + 9999, false) == ticket_json(t, d, t.created_at + 9999, false).dump());
    t.status = TicketStatus::expired;
    t.operator_id.reset();  // assigned_at is shown only with an operator
    CHECK(written(t, d, t.created_at + 9999, false) == ticket_json(t, d, t.created_at + 9999, false).dump());
}

TEST_CASE("strings are escaped as nlohmann's dump() escapes them, every byte value") {
    std::string every;
    for (int c = 1; c < 0x80; ++c) every += static_cast<char>(c);
    every += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x99\x82";  // é € 🙂
    std::string out;
    write_json_string(out, every);
    CHECK(out == nlohmann::json(every).dump());

    std::mt19937 random(7);
    std::uniform_int_distribution<int> pick(0, 0x7F);
    for (int round = 0; round < 200; ++round) {
        std::string s;
        for (int i = 0; i < 40; ++i) s += static_cast<char>(pick(random));
        std::string mine;
        write_json_string(mine, s);
        CHECK(mine == nlohmann::json(s).dump());
    }
}

TEST_CASE("bytes that are not UTF-8 become U+FFFD instead of failing the answer") {
    for (const char* bad : {"\xFF", "a\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82"}) {
        std::string out;
        write_json_string(out, bad);
        CHECK(out.find("\xEF\xBF\xBD") != std::string::npos);
        // What the writer gives is JSON that parses.
        CHECK_NOTHROW(nlohmann::json::parse(out));
    }
}
