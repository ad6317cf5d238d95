// The Windows helpline-cli.exe (cross-built) under Wine against the real Linux server on
// 127.0.0.1: stamped by helpline-brand like the Linux one, it sends requests with files
// (names outside ASCII cross the UTF-16 edge), keeps them in its outbox while the server
// cannot be reached and delivers them once later, lists the customer's requests and reads a
// conversation. Each test is a Windows user of its own (a Wine prefix copied from the
// template made by wine.prefix).

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/fixtures.h"
#include "tests/support/team_api.h"
#include "tests/support/wine.h"
#include "tests/wine/windows_cli.h"

namespace helpline::test {
namespace {

const std::string kServerBin = HELPLINE_SERVER_BIN;

std::int64_t number_in(const std::string& out) {
    const std::string prefix = "Your request number is ";
    const auto at = out.find(prefix);
    REQUIRE(at != std::string::npos);
    return std::stoll(out.substr(at + prefix.size()));
}

}  // namespace

TEST_CASE("helpline-cli.exe sends a request with its fields and prints the ticket's number") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    const WindowsCli cli(server.url());

    auto r = cli.run({"request", "--group", "billing", "--email", "ana@acme.example",
                      "--description", "The invoice shows the wrong address", "--subject",
                      "Invoice", "--priority", "high"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto queue = Team(server).queue();
    REQUIRE(queue.size() == 1);
    CHECK(r.out == "Your request number is " + std::to_string(queue[0].at("number").get<int>()) + "\n");
    CHECK(queue[0].at("requester").at("email") == "ana@acme.example");
    CHECK(queue[0].at("subject") == "Invoice");
    CHECK(queue[0].at("priority") == "high");
    CHECK(queue[0].at("group").at("id") == "billing");
    // Its own folders under %LOCALAPPDATA%: the request is logged, the outbox is empty.
    CHECK(fs::is_regular_file(cli.state() / "requests.log"));
    CHECK(cli.outbox_entries() == 0);
}

TEST_CASE("helpline-cli.exe sends files whose names are not ASCII, byte for byte") {
    TempDir data, files;
    ServerProcess server(kServerBin, data.path());
    server.start();
    const WindowsCli cli(server.url());
    const fs::path report = files / fs::u8path("Relatório de instalação — ção.txt");
    std::string bytes;
    for (int i = 0; i < 200'000; ++i) bytes += static_cast<char>((i * 31) % 251);
    write_text(report, bytes);

    auto r = cli.run({"request", "--email", "ana@acme.example", "--description", "Log attached",
                      "--attach", wine::windows_path(report)});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto c = Team(server).conversation(number_in(r.out));
    REQUIRE(c.at("attachments").size() == 1);
    const auto& a = c.at("attachments")[0];
    CHECK(a.at("name") == "Relatório de instalação — ção.txt");
    CHECK(a.at("size") == bytes.size());
    auto download = Team(server).call("GET", "/api/v1/attachments/" + a.at("id").dump());
    REQUIRE(download.status == 200);
    CHECK(download.body == bytes);
}

TEST_CASE("helpline-cli.exe offline keeps the request and a later run delivers it exactly once") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();  // to learn its port; the client has never talked to it
    const WindowsCli cli(server.url());
    REQUIRE(server.terminate() == 0);

    auto queued = cli.run({"request", "--wait", "1", "--email", "ana@acme.example",
                           "--description", "Nothing works"});
    INFO(queued.out << queued.err);
    CHECK(queued.exit_code == 5);
    CHECK_THAT(queued.out, Catch::StartsWith("Saved: your request will be sent automatically"));
    CHECK(cli.outbox_entries() == 1);

    server.start();
    auto delivered = cli.run({"requests"});
    INFO(delivered.out << delivered.err);
    REQUIRE(delivered.exit_code == 0);
    const auto queue = Team(server).queue();
    REQUIRE(queue.size() == 1);
    CHECK(queue[0].at("description") == "Nothing works");
    CHECK_THAT(delivered.out, Catch::Contains(std::to_string(queue[0].at("number").get<int>())));
    CHECK(cli.outbox_entries() == 0);
    REQUIRE(cli.run({"requests"}).exit_code == 0);
    CHECK(Team(server).queue().size() == 1);
}

TEST_CASE("helpline-cli.exe reads a conversation and downloads the team's file") {
    TempDir data, files;
    ServerProcess server(kServerBin, data.path());
    server.start();
    const WindowsCli cli(server.url());
    auto r = cli.run({"request", "--email", "ana@acme.example", "--description", "Printer"});
    REQUIRE(r.exit_code == 0);
    const auto number = number_in(r.out);
    const Team team(server);
    const auto message = team.write(number, "Try these steps", "steps.pdf", "%PDF-1.4 steps",
                                    "application/pdf");

    auto shown = cli.run({"requests", std::to_string(number)});
    INFO(shown.out << shown.err);
    REQUIRE(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::Contains("Try these steps"));
    CHECK_THAT(shown.out, Catch::Contains("steps.pdf"));

    const auto id = message.at("attachments")[0].at("id").dump();
    const fs::path target = files / "steps copy.pdf";
    auto saved = cli.run({"download", id, "--out", wine::windows_path(target)});
    INFO(saved.out << saved.err);
    REQUIRE(saved.exit_code == 0);
    CHECK(read_text(target) == "%PDF-1.4 steps");
}

TEST_CASE("helpline-cli.exe over TLS trusts the profile's CA, and not a certificate the store lacks") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start({"--self-signed"});
    REQUIRE(server.url().rfind("https://127.0.0.1:", 0) == 0);
    const std::string ca = read_text(server.data() / "tls" / "self-signed-cert.pem");
    trust_by_default(ca);  // the test's own calls as the team

    const WindowsCli trusting(server.url(), ca);
    auto sent = trusting.run({"request", "--email", "ana@acme.example", "--description", "Over TLS"});
    INFO(sent.out << sent.err);
    REQUIRE(sent.exit_code == 0);
    CHECK(Team(server).queue().size() == 1);

    // Without the profile's CA the Windows certificate store decides: it does not know a
    // self-signed certificate, so nothing is sent and the request waits in the outbox.
    const WindowsCli store_only(server.url());
    auto refused = store_only.run({"request", "--wait", "1", "--email", "ana@acme.example",
                                   "--description", "Not over an unknown certificate"});
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code != 0);
    CHECK_THAT(refused.err, Catch::Contains("certificate"));
    CHECK(Team(server).queue().size() == 1);
}

TEST_CASE("an unstamped helpline-cli.exe says how to brand it") {
    const wine::WinePrefix wine(wine::WinePrefix::From::template_prefix);
    auto r = wine.run(wine::windows_program("client/cli/helpline-cli.exe"), {"status"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("helpline-brand stamp"));
}

}  // namespace helpline::test
