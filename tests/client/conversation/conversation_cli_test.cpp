// helpline-cli and conversations against a real helpline-server on 127.0.0.1: a request
// with files, offline and delivered exactly once (also after a crash between the ticket
// and its files), a reply with a file, one ticket's conversation, the refusals, a download.

#include <catch2/catch.hpp>
#include <ctime>

#include "client/core/my_requests.h"
#include "client/core/outbox.h"
#include "tests/client/conversation/http_sink.h"
#include "tests/client/submit/cli_fixture.h"
#include "tests/support/team_api.h"

namespace helpline::test {
namespace {

/// Runs the stamped client at a fixed time zone and locale (its output is compared).
ProgramResult run_utc(const StampedCli& cli, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/env", "TZ=UTC"};
    for (const auto& v : cli.terminal_environment()) argv.push_back(v);
    argv.push_back(cli.binary().string());
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, {}, std::chrono::seconds(60));
}

std::int64_t number_in(const std::string& out) {
    const std::string prefix = "Your request number is ";
    const auto at = out.find(prefix);
    REQUIRE(at != std::string::npos);
    return std::stoll(out.substr(at + prefix.size()));
}

/// "2026-11-25 03:21 UTC" for a wire time, as the client prints it with TZ=UTC.
std::string shown(const nlohmann::json& utc) {
    auto t = client::parse_utc(utc.get<std::string>());
    REQUIRE(t.has_value());
    const std::time_t s = std::chrono::system_clock::to_time_t(*t);
    std::tm tm{};
    ::gmtime_r(&s, &tm);
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
    return text;
}

/// Two files of known bytes in `dir`.
std::pair<fs::path, fs::path> two_files(const TempDir& dir) {
    const auto shot = dir / "screen.png";
    const auto log = dir / "install log.txt";
    write_pattern_file(shot.string(), 300'000);
    write_text(log, "step 1 ok\nstep 2 failed\n");
    return {shot, log};
}

std::vector<fs::path> copies_folders(const StampedCli& cli) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cli.outbox(), ec))
        if (e.path().extension() == ".files") out.push_back(e.path());
    return out;
}

}  // namespace

TEST_CASE(
    "a request with two files reaches the team: its conversation lists them with their "
    "SHA-256") {
    TempDir data, files;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    const auto [shot, log] = two_files(files);

    auto r = cli.run({"request", "--email", "ana@acme.example", "--description", "Printer on fire",
                      "--attach", shot.string(), log.string()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto number = number_in(r.out);

    const auto c = Team(server).conversation(number);
    CHECK(c.at("description") == "Printer on fire");
    CHECK(c.at("messages").empty());
    const auto& attachments = c.at("attachments");
    REQUIRE(attachments.size() == 2);
    CHECK(attachments[0].at("name") == "screen.png");
    CHECK(attachments[0].at("size") == 300'000);
    CHECK(attachments[0].at("sha256") == sha256_of_file(shot.string()));
    CHECK(attachments[0].at("author") == "customer");
    CHECK(attachments[0].at("message_id").is_null());
    CHECK(attachments[1].at("name") == "install log.txt");
    CHECK(attachments[1].at("sha256") == sha256_of_file(log.string()));
    CHECK(cli.outbox_files().empty());
    CHECK(copies_folders(cli).empty());
}

TEST_CASE(
    "offline, a request with a file is kept, and once the server is up it is delivered, "
    "exactly once") {
    TempDir data, files;
    ServerProcess server(kServerBin, data.path());
    server.start();  // to learn its port
    StampedCli cli(demo_profile(server.url()));
    REQUIRE(server.terminate() == 0);
    const auto [shot, log] = two_files(files);

    auto queued = cli.run({"request", "--wait", "1", "--email", "ana@acme.example", "--description",
                           "Nothing works", "--attach", shot.string()});
    INFO(queued.out << queued.err);
    REQUIRE(queued.exit_code == 5);
    CHECK_THAT(queued.out, Catch::Contains("Saved: your request will be sent automatically"));
    REQUIRE(cli.outbox_files().size() == 1);
    REQUIRE(copies_folders(cli).size() == 1);
    fs::remove(shot);  // the customer's file may go: the outbox has its copy

    server.start();
    auto delivered = cli.run({"status"});
    INFO(delivered.out << delivered.err);
    REQUIRE(delivered.exit_code == 0);
    const auto queue = queue_of(server);
    REQUIRE(queue.size() == 1);
    const std::int64_t number = queue[0].at("number");
    CHECK_THAT(delivered.err, Catch::Contains("its number is " + std::to_string(number)));
    CHECK(cli.outbox_files().empty());
    CHECK(copies_folders(cli).empty());

    // Later runs send nothing again.
    REQUIRE(cli.run({"status"}).exit_code == 0);
    CHECK(queue_of(server).size() == 1);
    const auto c = Team(server).conversation(number);
    REQUIRE(c.at("attachments").size() == 1);
    CHECK(c.at("attachments")[0].at("sha256") == sha256_of_pattern(300'000));
}

TEST_CASE(
    "a client that died between the ticket and its files sends it all again with the same "
    "keys, and the server stores nothing twice") {
    TempDir data, files;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    REQUIRE(cli.status().at("registered") == true);
    const auto [shot, log] = two_files(files);

    // What the client saved, and what it had sent when it died: the ticket and the first
    // file, both acknowledged by the server, the second file not.
    const client::Outbox outbox(cli.outbox(), client::RequestLog(cli.state() / "requests.log"));
    std::vector<client::AttachmentFile> attach = {
        {shot, "screen.png", 300'000, "image/png"},
        {log, "install log.txt", fs::file_size(log), "text/plain"}};
    auto entry = outbox.add({{"email", "ana@acme.example"}, {"description", "Crash test"}}, attach);
    REQUIRE(entry.ok());
    const std::string device_token =
        nlohmann::json::parse(read_text(cli.state() / "identity.json")).at("device_token");
    CurlOptions post;
    post.method = "POST";
    post.headers = {"Content-Type: application/json", "Authorization: Bearer " + device_token,
                    "Idempotency-Key: " + entry->key};
    post.body = entry->body.dump();
    auto ticket = curl_request(server.url("/api/v1/tickets"), post);
    REQUIRE(ticket.status == 201);
    const std::int64_t number = nlohmann::json::parse(ticket.body).at("number");
    CurlOptions put;
    put.method = "PUT";
    put.headers = {"Authorization: Bearer " + device_token, "Content-Type: image/png",
                   "X-Helpline-File-Name: screen.png"};
    put.body = read_text(outbox.copy_of(*entry, entry->attachments[0]));
    auto first = curl_request(server.url("/api/v1/tickets/" + std::to_string(number) +
                                         "/attachments/" + entry->attachments[0].key),
                              put);
    INFO(first.body);
    REQUIRE(first.status == 201);

    auto again = cli.run({"status"});
    INFO(again.out << again.err);
    REQUIRE(again.exit_code == 0);
    CHECK_THAT(again.err, Catch::Contains("its number is " + std::to_string(number)));
    CHECK(queue_of(server).size() == 1);
    const auto c = Team(server).conversation(number);
    REQUIRE(c.at("attachments").size() == 2);  // the first once, the second now
    CHECK(c.at("attachments")[0].at("id") == nlohmann::json::parse(first.body).at("id"));
    CHECK(c.at("attachments")[1].at("sha256") == sha256_of_file(log.string()));
    CHECK(cli.outbox_files().empty());
}

TEST_CASE("reply --attach adds the customer's message with its file to the conversation") {
    TempDir data, files;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    auto r = cli.run({"request", "--email", "ana@acme.example", "--description", "Printer"});
    REQUIRE(r.exit_code == 0);
    const auto number = number_in(r.out);
    const auto [shot, log] = two_files(files);

    auto reply = cli.run({"reply", std::to_string(number), "--message", "Here is the log",
                          "--attach", log.string()});
    INFO(reply.out << reply.err);
    REQUIRE(reply.exit_code == 0);
    CHECK(reply.out == "Your reply was added to request " + std::to_string(number) + ".\n");
    CHECK(cli.outbox_files().empty());

    const auto c = Team(server).conversation(number);
    REQUIRE(c.at("messages").size() == 1);
    const auto& m = c.at("messages")[0];
    CHECK(m.at("author") == "customer");
    CHECK(m.at("body") == "Here is the log");
    REQUIRE(m.at("attachments").size() == 1);
    CHECK(m.at("attachments")[0].at("name") == "install log.txt");
    CHECK(m.at("attachments")[0].at("sha256") == sha256_of_file(log.string()));
    CHECK(c.at("attachments").empty());  // it came with the message, not the request

    // Offline, the reply is kept and goes with the next run.
    REQUIRE(server.terminate() == 0);
    auto queued =
        cli.run({"reply", std::to_string(number), "--wait", "1", "--message", "Any news?"});
    INFO(queued.out << queued.err);
    REQUIRE(queued.exit_code == 5);
    CHECK_THAT(queued.out, Catch::Contains("Saved: your reply will be sent automatically"));
    server.start();
    auto flushed = cli.run({"status"});
    CHECK_THAT(flushed.err, Catch::Contains("was added to request " + std::to_string(number)));
    REQUIRE(cli.run({"status"}).exit_code == 0);
    const auto after = Team(server).conversation(number);
    REQUIRE(after.at("messages").size() == 2);
    CHECK(after.at("messages")[1].at("body") == "Any news?");
}

TEST_CASE(
    "requests N shows the status and the conversation with names, times and files, and "
    "marks it read") {
    TempDir data, files;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    const auto [shot, log] = two_files(files);
    auto r = cli.run({"request", "--email", "ana@acme.example", "--description",
                      "Printer on fire\nIt smells", "--attach", shot.string()});
    REQUIRE(r.exit_code == 0);
    const auto number = number_in(r.out);
    const Team team(server);
    team.write(number, "Which model is it?", "steps.pdf", "%PDF-1.4 steps", "application/pdf");
    REQUIRE(cli.run({"reply", std::to_string(number), "--message", "A LaserJet"}).exit_code == 0);

    const auto c = team.conversation(number);
    const auto& request_file = c.at("attachments")[0];
    const auto& question = c.at("messages")[0];
    const auto& answer = c.at("messages")[1];
    const std::string n = std::to_string(number);
    const std::string expected = "Request " + n +
                                 ": open\n"
                                 "\n"
                                 "You, " +
                                 shown(c.at("created_at")) +
                                 ":\n"
                                 "  Printer on fire\n"
                                 "  It smells\n"
                                 "  Attachment: screen.png, 293.0 KiB, id " +
                                 request_file.at("id").dump() +
                                 "\n"
                                 "\n" +
                                 question.at("author_name").get<std::string>() +
                                 " (support team), " + shown(question.at("created_at")) +
                                 " (new):\n"
                                 "  Which model is it?\n"
                                 "  Attachment: steps.pdf, 14 bytes, id " +
                                 question.at("attachments")[0].at("id").dump() +
                                 "\n"
                                 "\n"
                                 "You, " +
                                 shown(answer.at("created_at")) +
                                 ":\n"
                                 "  A LaserJet\n"
                                 "\n"
                                 "Reply with: helpline-cli reply " +
                                 n + " --message TEXT [--attach FILE...]\n";
    auto listed = run_utc(cli, {"requests"});
    CHECK_THAT(listed.out, Catch::Contains(n + "    open (1 new)"));
    auto shown_once = run_utc(cli, {"requests", n});
    INFO(shown_once.err);
    REQUIRE(shown_once.exit_code == 0);
    CHECK(shown_once.out == expected);

    // Shown is read: the mark moved to the newest message, and "(new)" is gone.
    CHECK(team.conversation(number).at("messages").size() == 2);
    auto json = run_utc(cli, {"requests", n, "--json"});
    REQUIRE(json.exit_code == 0);
    const auto doc = nlohmann::json::parse(json.out);
    CHECK(doc.at("read_message_id") == answer.at("id"));
    CHECK(doc.at("unread") == 0);
    CHECK(doc.at("status") == "open");
    CHECK(doc.at("messages").size() == 2);
    CHECK(doc.at("messages")[0].at("author_name") == question.at("author_name"));
    CHECK(doc.at("attachments")[0].at("sha256") == sha256_of_file(shot.string()));
    auto again = run_utc(cli, {"requests", n});
    CHECK(again.out.find("(new)") == std::string::npos);
    const auto list = nlohmann::json::parse(run_utc(cli, {"requests", "--json"}).out);
    CHECK(list.at("tickets").at(0).at("unread") == 0);

    // The team's file, saved by the customer.
    const auto target = files / "steps-copy.pdf";
    auto saved = run_utc(
        cli, {"download", question.at("attachments")[0].at("id").dump(), "--out", target.string()});
    INFO(saved.err);
    REQUIRE(saved.exit_code == 0);
    CHECK(saved.out == "Saved " + target.string() + " (14 bytes).\n");
    CHECK(read_text(target) == "%PDF-1.4 steps");
}

TEST_CASE(
    "replies to a closed ticket or to one that is not this computer's are refused at once "
    "and nothing is saved") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    auto r = cli.run({"request", "--email", "ana@acme.example", "--description", "Printer"});
    REQUIRE(r.exit_code == 0);
    const auto number = number_in(r.out);
    Team(server).close(number);

    auto closed = cli.run({"reply", std::to_string(number), "--message", "Still broken"});
    INFO(closed.out << closed.err);
    CHECK(closed.exit_code == 1);
    CHECK_THAT(closed.err, Catch::Contains("is closed; to ask for more help, send a new request"));
    auto shown_closed = cli.run({"requests", std::to_string(number)});
    CHECK_THAT(shown_closed.out, Catch::Contains("Request " + std::to_string(number) + ": closed"));
    CHECK_THAT(shown_closed.out, Catch::Contains("send a new request: helpline-cli request"));

    auto unknown = cli.run({"reply", "999999", "--message", "Hello"});
    CHECK(unknown.exit_code == 1);
    CHECK_THAT(unknown.err,
               Catch::Contains("Request 999999 is not one of this computer's requests."));
    auto unknown_view = cli.run({"requests", "999999"});
    CHECK(unknown_view.exit_code == 1);
    CHECK(cli.outbox_files().empty());
}

TEST_CASE("files over the profile's limits are refused by name before anything is saved") {
    TempDir data, files;
    ServerProcess server(kServerBin, data.path());
    server.start();
    auto profile = demo_profile(server.url());
    profile["assistance"]["attachments"] = {{"max_files", 1}, {"max_total_mib", 1}};
    StampedCli cli(profile);
    const auto a = files / "a.txt";
    const auto b = files / "b.txt";
    const auto big = files / "big.bin";
    write_text(a, "a");
    write_text(b, "b");
    write_pattern_file(big.string(), 2 * 1024 * 1024);

    auto r = cli.run({"request", "--email", "ana@acme.example", "--description", "Help", "--attach",
                      big.string(), a.string(), b.string(), (files / "missing.png").string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "error: the request was not sent; please correct:\n"
          "  --attach: 'big.bin' is 2.0 MiB; one file may be at most 1.0 MiB.\n"
          "  --attach: 'b.txt' is one file too many: at most 1 files can be sent at once.\n"
          "  --attach: '" +
              (files / "missing.png").string() + "' cannot be read (there is no such file).\n");
    CHECK(queue_of(server).empty());
    CHECK(cli.outbox_files().empty());

    auto reply = cli.run({"reply", "1001", "--attach", big.string()});
    CHECK(reply.exit_code == 2);
    CHECK_THAT(reply.err, Catch::Contains("'big.bin' is 2.0 MiB"));
}

TEST_CASE(
    "a file past the server's own limit is refused by the server, and the request goes "
    "without it") {
    TempDir data, files;
    ServerProcess server(kServerBin, data.path());
    server.start({"--attachment-max-mib", "1"});
    auto profile = demo_profile(server.url());
    profile["assistance"]["attachments"] = {{"max_files", 5}, {"max_total_mib", 5}};
    StampedCli cli(profile);
    const auto big = files / "big.bin";
    const auto small = files / "small.txt";
    write_pattern_file(big.string(), 2 * 1024 * 1024);
    write_text(small, "small");

    auto r = cli.run({"request", "--email", "ana@acme.example", "--description", "Help", "--attach",
                      big.string(), small.string()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto number = number_in(r.out);
    CHECK_THAT(r.err, Catch::StartsWith("warning: 'big.bin' was not attached: "));
    const auto c = Team(server).conversation(number);
    REQUIRE(c.at("attachments").size() == 1);
    CHECK(c.at("attachments")[0].at("name") == "small.txt");
    CHECK(cli.outbox_files().empty());
}

}  // namespace helpline::test
