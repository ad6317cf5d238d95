// Conversations over the wire (docs/protocol.md "Conversations"): messages both ways,
// attachments streamed in and out, internal notes kept from the device, closed tickets,
// and uploads written to break things.

#include <catch2/catch.hpp>

#include <openssl/sha.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {

using namespace std::chrono_literals;

namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::filesystem::path(HELPLINE_FIXTURES_DIR) / "attachments" / name, std::ios::binary);
    REQUIRE(in);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string sha256_hex(const std::string& bytes) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : digest) {
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    return out;
}

std::string path_of(std::int64_t number, const std::string& rest = "") {
    return "/api/v1/tickets/" + std::to_string(number) + rest;
}

CurlResponse upload(const Team& team, const std::string& token, std::int64_t number, const std::string& name,
                    const std::string& bytes, const std::string& key = new_uuid(),
                    const std::string& type = "application/octet-stream", const std::string& query = "") {
    CurlOptions o;
    o.method = "PUT";
    o.body = bytes;
    o.headers = {"Authorization: Bearer " + token, "Content-Type: " + type, "X-Helpline-File-Name: " + name};
    return curl_request(team.server().url(path_of(number, "/attachments/" + key + query)), o);
}

CurlResponse post(const Team& team, const std::string& token, std::int64_t number, const Json& body,
                  const std::string& key = new_uuid()) {
    return team.call("POST", path_of(number, "/messages"), token, body, {"Idempotency-Key: " + key});
}

CurlResponse download(const Team& team, const std::string& token, std::int64_t id, const std::string& query = "") {
    return team.call("GET", "/api/v1/attachments/" + std::to_string(id) + query, token);
}

Json messages(const Team& team, const std::string& token, std::int64_t number) {
    const auto r = team.call("GET", path_of(number, "/messages"), token);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_json(r);
}

}  // namespace

TEST_CASE("a customer's message with a screenshot, the team's reply live on the device's stream, and a note the "
          "device never sees") {
    Team team;
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("The printer shows an error"));
    CurlEventStream stream(team.server().url("/api/v1/events"), bearer(device.token));

    // The customer: a screenshot, then a message naming it.
    const std::string png = fixture("pixel.png");
    const auto shot = upload(team, device.token, number, "screenshot.png", png, new_uuid(), "image/png");
    INFO(shot.body);
    REQUIRE(shot.status == 201);
    const Json file = body_json(shot);
    CHECK(file.at("sha256") == sha256_hex(png));
    CHECK(file.at("size") == static_cast<std::int64_t>(png.size()));
    CHECK(file.at("type") == "image/png");
    CHECK(file.at("image") == true);
    CHECK(file.at("message_id").is_null());
    const auto said = post(team, device.token, number,
                           Json{{"body", "This is what I see."}, {"attachments", {file.at("id")}}});
    INFO(said.body);
    REQUIRE(said.status == 201);
    const Json customer = body_json(said);
    CHECK(customer.at("author") == "customer");
    CHECK(customer.at("author_name").is_null());
    REQUIRE(customer.at("attachments").size() == 1);

    // The team sees it, in the queue too (a reply it has not read).
    const Json seen = messages(team, team.admin_token(), number);
    REQUIRE(seen.at("messages").size() == 1);
    CHECK(seen.at("messages")[0].at("attachments")[0].at("sha256") == sha256_hex(png));
    CHECK(seen.at("description") == "The printer shows an error");
    Json queued;
    for (const Json& t : team.admin_queue())
        if (t.at("number") == number) queued = t;
    CHECK(queued.at("messages") == 1);
    CHECK(queued.at("last_customer_message_id") == customer.at("id"));
    CHECK(queued.at("read_message_id") == 0);
    REQUIRE(team.call("PUT", path_of(number, "/read"), team.admin_token(), Json{{"message_id", customer.at("id")}})
                .status == 204);
    for (const Json& t : team.admin_queue())
        if (t.at("number") == number) CHECK(t.at("read_message_id") == customer.at("id"));

    // The bytes come back as they went, inline (a PNG named .png), with the headers that keep
    // them inert.
    const auto back = download(team, team.admin_token(), file.at("id").get<std::int64_t>());
    REQUIRE(back.status == 200);
    CHECK(back.body == png);
    CHECK(back.header("content-type") == "image/png");
    CHECK(back.header("content-disposition").rfind("inline;", 0) == 0);
    CHECK(back.header("x-content-type-options") == "nosniff");
    CHECK(back.header("content-security-policy").find("sandbox") != std::string::npos);
    CHECK(back.header("etag") == "\"" + sha256_hex(png) + "\"");
    const auto forced = download(team, device.token, file.at("id").get<std::int64_t>(), "?download=1");
    CHECK(forced.header("content-disposition").rfind("attachment;", 0) == 0);
    CHECK(forced.header("content-type") == "application/octet-stream");

    // An internal note with a file, then the reply.
    const auto note_file = upload(team, team.admin_token(), number, "notes.txt", "printer model XP-1", new_uuid(),
                                  "text/plain", "?internal=1");
    REQUIRE(note_file.status == 201);
    const auto note = post(team, team.admin_token(), number,
                           Json{{"body", "Known issue with XP-1"}, {"internal", true},
                                {"attachments", {body_json(note_file).at("id")}}});
    REQUIRE(note.status == 201);
    const auto reply = post(team, team.admin_token(), number, Json{{"body", "Please turn it off and on."}});
    REQUIRE(reply.status == 201);
    CHECK(body_json(reply).at("author") == "team");
    CHECK(body_json(reply).at("author_name") == "Admin");

    // The device: the reply live, never the note.
    REQUIRE(wait_for([&] { return stream.text().find("event: ticket-message") != std::string::npos; }, 5s));
    std::vector<SseFrame> replies;
    for (const SseFrame& f : sse_frames(stream.text()))
        if (f.event == "ticket-message") replies.push_back(f);
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].data.at("number") == number);
    CHECK(replies[0].data.at("message").at("body") == "Please turn it off and on.");
    CHECK(stream.text().find("Known issue") == std::string::npos);
    const Json mine = messages(team, device.token, number);
    REQUIRE(mine.at("messages").size() == 2);
    for (const Json& m : mine.at("messages")) CHECK(m.at("internal") == false);
    CHECK(mine.dump().find("Known issue") == std::string::npos);
    CHECK(mine.dump().find("notes.txt") == std::string::npos);
    CHECK(download(team, device.token, body_json(note_file).at("id").get<std::int64_t>()).status == 404);
    // The team sees all three.
    CHECK(messages(team, team.admin_token(), number).at("messages").size() == 3);

    // My requests: one unread reply (the note is not counted), then none once read.
    const auto unread = [&] {
        const Json listed = body_json(team.call("GET", "/api/v1/devices/me/tickets", device.token));
        for (const Json& t : listed.at("tickets"))
            if (t.at("number") == number) return t.at("unread").get<int>();
        return -1;
    };
    CHECK(unread() == 1);
    REQUIRE(team.call("PUT", path_of(number, "/read"), device.token,
                      Json{{"message_id", body_json(reply).at("id")}}).status == 204);
    CHECK(unread() == 0);
}

TEST_CASE("messages and uploads are idempotent by their keys, and a key is never reused for something else") {
    Team team;
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("Slow laptop"));
    const std::string key = new_uuid();
    const auto first = post(team, device.token, number, Json{{"body", "It takes minutes to start"}}, key);
    REQUIRE(first.status == 201);
    const auto again = post(team, device.token, number, Json{{"body", "It takes minutes to start"}}, key);
    REQUIRE(again.status == 200);
    CHECK(body_json(again).at("id") == body_json(first).at("id"));
    CHECK(post(team, device.token, number, Json{{"body", "Something else"}}, key).status == 422);
    CHECK(messages(team, device.token, number).at("messages").size() == 1);

    const std::string file_key = new_uuid();
    const auto up = upload(team, device.token, number, "log.txt", "boot took 300 s", file_key);
    REQUIRE(up.status == 201);
    const auto up_again = upload(team, device.token, number, "log.txt", "boot took 300 s", file_key);
    REQUIRE(up_again.status == 200);
    CHECK(body_json(up_again).at("id") == body_json(up).at("id"));
    const auto other = upload(team, device.token, number, "log.txt", "other bytes", file_key);
    CHECK(other.status == 409);
    CHECK(body_json(other).at("code") == "attachment_key_reused");
    // A file already in a message cannot go into another.
    const Json ids = {body_json(up).at("id")};
    REQUIRE(post(team, device.token, number, Json{{"body", "The log"}, {"attachments", ids}}).status == 201);
    const auto twice = post(team, device.token, number, Json{{"body", "Again"}, {"attachments", ids}});
    CHECK(twice.status == 400);
    CHECK(problem_fields(twice) == std::vector<std::string>{"attachments"});
}

TEST_CASE("hostile uploads: scripts are served inert, names cannot choose a path, a zip is only bytes") {
    Team team;
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("Look at these"));
    const auto stored = [&](const std::string& name, const std::string& bytes, const std::string& type) {
        const auto r = upload(team, device.token, number, name, bytes, new_uuid(), type);
        INFO(name << ": " << r.body);
        REQUIRE(r.status == 201);
        return body_json(r);
    };
    // HTML and SVG with a script: downloads of unknown type, sandboxed.
    for (const char* name : {"script.svg", "script.html"}) {
        const Json a = stored(name, fixture(name), std::string(name).ends_with("svg") ? "image/svg+xml" : "text/html");
        CHECK(a.at("image") == false);
        const auto r = download(team, team.admin_token(), a.at("id").get<std::int64_t>());
        REQUIRE(r.status == 200);
        CHECK(r.header("content-type") == "application/octet-stream");
        CHECK(r.header("content-disposition").rfind("attachment;", 0) == 0);
        CHECK(r.header("content-security-policy") == "sandbox; default-src 'none'");
    }
    // An executable named .png: its bytes say otherwise, so it is no image.
    const Json exe = stored("holiday.png", std::string("MZ\x90\x00\x03\x00\x00\x00", 8) + std::string(200, 'A'),
                            "image/png");
    CHECK(exe.at("image") == false);
    CHECK(exe.at("type") != "image/png");
    CHECK(download(team, team.admin_token(), exe.at("id").get<std::int64_t>()).header("content-type") ==
          "application/octet-stream");
    // A PNG named .txt is not shown either: bytes and name must agree.
    CHECK(stored("pixel.txt", fixture("pixel.png"), "text/plain").at("image") == false);
    // A zip of 64 MiB of zeros: stored as its 64 KiB, never unpacked.
    const std::string zip = fixture("zeros.zip");
    const Json bomb = stored("zeros.zip", zip, "application/zip");
    CHECK(bomb.at("size") == static_cast<std::int64_t>(zip.size()));
    CHECK(bomb.at("sha256") == sha256_hex(zip));
    CHECK(bomb.at("type") == "application/zip");
    CHECK(download(team, device.token, bomb.at("id").get<std::int64_t>()).body == zip);
    // Names: only the last part of a path, percent-decoded.
    CHECK(stored("..%2F..%2Fetc%2Fpasswd", "x", "text/plain").at("name") == "passwd");
    CHECK(stored("C%3A%5CUsers%5Cana%5Cr%C3%A9sum%C3%A9.txt", "x", "text/plain").at("name") == "résumé.txt");
    // Refused, naming the header: control characters, a direction override, no name, "..".
    for (const char* name : {"bad%0Aname.txt", "invoice%E2%80%AEfdp.exe", "%2F", "..", "%ZZ"}) {
        const auto r = upload(team, device.token, number, name, "x");
        INFO(name << ": " << r.body);
        CHECK(r.status == 400);
        CHECK(problem_fields(r) == std::vector<std::string>{"X-Helpline-File-Name"});
    }
    // Without X-Helpline-File-Name at all.
    CurlOptions nameless;
    nameless.method = "PUT";
    nameless.body = "x";
    nameless.headers = {"Authorization: Bearer " + device.token};
    CHECK(curl_request(team.server().url(path_of(number, "/attachments/" + new_uuid())), nameless).status == 400);
    // Only the files that were accepted are on the ticket.
    CHECK(messages(team, team.admin_token(), number).at("attachments").size() == 7);
}

TEST_CASE("an upload past the size limit is refused from its Content-Length, and one without a length is refused",
          "[single]") {
    auto args = unlimited_args();
    args.insert(args.end(), {"--attachment-max-mib", "1"});
    Team team(args);
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("Big file"));
    // 2 MiB declared: 413 before the body is read (curl's 100-continue never gets its 100).
    const auto big = upload(team, device.token, number, "big.bin", std::string(2 * 1024 * 1024, 'x'));
    CHECK(big.status == 413);
    // Exactly the limit is fine.
    CHECK(upload(team, device.token, number, "limit.bin", std::string(1024 * 1024, 'y')).status == 201);
    // Chunked (no Content-Length): 411.
    RawSocket raw("127.0.0.1", team.server().port());
    REQUIRE(raw.connected());
    raw.send("PUT " + path_of(number, "/attachments/" + new_uuid()) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
             device.token + "\r\nX-Helpline-File-Name: a.txt\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    const auto answer = raw.receive_until([](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; },
                                          5s);
    CHECK(answer.rfind("HTTP/1.1 411", 0) == 0);
}

TEST_CASE("an upload is refused before its body is read when the caller may not add to the ticket", "[single]") {
    Team team;
    const auto device = team.register_device();
    const auto other = team.register_device();
    const auto number = team.submit(device, ticket_body("Private"));
    const auto closed = team.submit(device, ticket_body("Closed"));
    REQUIRE(team.call("POST", path_of(closed, "/close"), team.admin_token()).status == 200);
    // 10 MiB announced, not a byte sent: the answer comes anyway, and the connection closes.
    const auto answer_to = [&](const std::string& token, std::int64_t n) {
        RawSocket raw("127.0.0.1", team.server().port());
        REQUIRE(raw.connected());
        raw.send("PUT " + path_of(n, "/attachments/" + new_uuid()) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                 token + "\r\nX-Helpline-File-Name: big.bin\r\nContent-Length: 10485760\r\n\r\n");
        const bool closed_by_server = raw.wait_closed(5s);
        CHECK(closed_by_server);
        return raw.received().substr(0, raw.received().find("\r\n"));
    };
    CHECK(answer_to(other.token, number) == "HTTP/1.1 404 Not Found");
    CHECK(answer_to(device.token, closed) == "HTTP/1.1 409 Conflict");
    CHECK(answer_to("not-a-token", number) == "HTTP/1.1 401 Unauthorized");
}

TEST_CASE("an upload cut short stores nothing and leaves no file behind, and sent again whole it is stored once",
          "[single]") {
    Team team;
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("Cut upload"));
    const std::string key = new_uuid();
    {
        RawSocket raw("127.0.0.1", team.server().port());
        REQUIRE(raw.connected());
        raw.send("PUT " + path_of(number, "/attachments/" + key) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                 device.token + "\r\nX-Helpline-File-Name: half.bin\r\nContent-Length: 100000\r\n\r\n" +
                 std::string(40000, 'h'));
        // The server has spooled part of it: wait for the file, then go away mid-body.
        const auto spool = team.server().data() / "uploads";
        REQUIRE(wait_for([&] {
            std::error_code ec;
            for (const auto& e : std::filesystem::directory_iterator(spool, ec))
                if (e.path().filename().string().starts_with("upload-")) return true;
            return false;
        }, 5s));
        raw.close();
    }
    const auto spool_empty = [&] {
        std::error_code ec;
        return std::filesystem::is_empty(team.server().data() / "uploads", ec);
    };
    CHECK(wait_for(spool_empty, 5s));
    CHECK(messages(team, device.token, number).at("attachments").empty());
    const auto whole = upload(team, device.token, number, "half.bin", std::string(100000, 'h'), key);
    CHECK(whole.status == 201);
    CHECK(messages(team, device.token, number).at("attachments").size() == 1);
    CHECK(spool_empty());
}

TEST_CASE("a closed ticket takes no more replies unless the team lets customers reopen it") {
    SECTION("refused, with what to do") {
        Team team;
        const auto device = team.register_device();
        const auto number = team.submit(device, ticket_body("Done soon"));
        REQUIRE(team.call("POST", path_of(number, "/close"), team.admin_token()).status == 200);
        const auto op = post(team, team.admin_token(), number, Json{{"body", "One more thing"}});
        CHECK(op.status == 409);
        CHECK(body_json(op).at("code") == "ticket_closed");
        const auto customer = post(team, device.token, number, Json{{"body", "It broke again"}});
        CHECK(customer.status == 409);
        CHECK(body_json(customer).at("code") == "ticket_closed");
        CHECK(body_json(customer).at("detail").get<std::string>().find("new request") != std::string::npos);
        CHECK(upload(team, device.token, number, "x.txt", "x").status == 409);
        CHECK(messages(team, device.token, number).at("replies_reopen") == false);
        // The history still shows the conversation to the team.
        CHECK(messages(team, team.admin_token(), number).at("status") == "closed");
    }
    SECTION("--reopen-on-reply: the customer's reply reopens it") {
        auto args = unlimited_args();
        args.push_back("--reopen-on-reply");
        Team team(args);
        const auto device = team.register_device();
        const auto number = team.submit(device, ticket_body("Back again"));
        REQUIRE(team.call("POST", path_of(number, "/close"), team.admin_token()).status == 200);
        CHECK(post(team, team.admin_token(), number, Json{{"body", "Team cannot reopen"}}).status == 409);
        const auto file = upload(team, device.token, number, "again.txt", "still broken");
        REQUIRE(file.status == 201);
        const auto r = post(team, device.token, number,
                            Json{{"body", "It broke again"}, {"attachments", {body_json(file).at("id")}}});
        INFO(r.body);
        REQUIRE(r.status == 201);
        bool queued = false;
        for (const Json& t : team.admin_queue()) queued = queued || t.at("number") == number;
        CHECK(queued);
        const auto ticket = body_json(team.call("GET", path_of(number), team.admin_token()));
        CHECK(ticket.at("status") == "open");
        bool reopened = false;
        for (const Json& e : ticket.at("timeline")) reopened = reopened || e.dump().find("reopened") != std::string::npos;
        CHECK(reopened);
    }
}

TEST_CASE("admins set how long the files of closed tickets are kept") {
    Team team;
    CHECK(body_json(team.call("GET", "/api/v1/settings/attachments", team.admin_token())).at("retention_days") == 90);
    const auto set = team.call("PUT", "/api/v1/settings/attachments", team.admin_token(), Json{{"retention_days", 30}});
    REQUIRE(set.status == 200);
    CHECK(body_json(team.call("GET", "/api/v1/settings/attachments", team.admin_token())).at("retention_days") == 30);
    const auto bad = team.call("PUT", "/api/v1/settings/attachments", team.admin_token(), Json{{"retention_days", 0}});
    CHECK(bad.status == 400);
    CHECK(problem_fields(bad) == std::vector<std::string>{"retention_days"});
}

}  // namespace helpline::test::e2e
