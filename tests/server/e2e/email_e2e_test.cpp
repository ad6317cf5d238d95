// Email with the real server: notifications reach a real SMTP server (aiosmtpd on
// 127.0.0.1), and a server killed with kill -9 between handing a message to the relay and
// marking it sent sends it again exactly once, with the same Message-ID: one kill, at most
// one duplicate, and nothing lost.
#include <catch2/catch.hpp>

#include <map>

#include "tests/server/e2e/e2e_fixture.h"
#include "tests/support/smtp_sink.h"

namespace helpline::test::e2e {
namespace {

std::vector<std::string> email_args(const SmtpSink& sink) {
    auto args = unlimited_args();
    for (const char* a : {"--smtp-from", "helpline@team.example", "--public-url", "https://helpline.team.example"})
        args.emplace_back(a);
    args.push_back("--smtp-url");
    args.push_back(sink.url());
    return args;
}

/// Copies received per Message-ID.
std::map<std::string, int> copies(const std::vector<Json>& messages) {
    std::map<std::string, int> out;
    for (const auto& m : messages) ++out[m["headers"]["Message-ID"].get<std::string>()];
    return out;
}

/// An operator of helpdesk with email notifications on; their address.
std::string notified_operator(const Team& team, const std::string& name) {
    const std::string email = name + "@team.example";
    const auto id = team.add_user(email, name, "a long enough passphrase");
    const auto r = team.call("PATCH", "/api/v1/users/" + std::to_string(id), team.admin_token(),
                             Json{{"notify_email", true}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    team.set_members("helpdesk", {id});
    return email;
}

}  // namespace

TEST_CASE("a ticket arriving in a group emails its operator through the relay") {
    SmtpSink sink;
    Team team(email_args(sink));
    const std::string ana = notified_operator(team, "ana");
    const auto email = team.call("GET", "/api/v1/email", team.admin_token());
    REQUIRE(email.status == 200);
    CHECK(body_json(email)["configured"] == true);
    CHECK(body_json(email)["relay"] == sink.url());

    const auto n = team.submit(team.register_device(), ticket_body("The printer is on fire"));
    const auto got = sink.wait_for_messages(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0]["rcpt_tos"] == Json::array({ana}));
    CHECK(got[0]["body"].get<std::string>().find("https://helpline.team.example/console/#/tickets/" +
                                                 std::to_string(n)) != std::string::npos);
    // Marked sent. /metrics counts it on the server that sent it; behind HAProxy that is
    // either of two, and the outbox they share says it instead.
    const auto sent = [&] {
        if (team.server().behind_haproxy())
            return body_json(team.call("GET", "/api/v1/email", team.admin_token()))["queued"] == 0;
        return team.call("GET", "/metrics").body.find("helpline_emails_sent_total 1\n") != std::string::npos;
    };
    CHECK(wait_for(sent));
}

TEST_CASE("kill -9 between sending and marking sent resends that message once with the same Message-ID") {
    SmtpSink sink;
    Team team(email_args(sink));
    notified_operator(team, "ana");
    const auto device = team.register_device();

    // The relay stores the message, then holds its "250": the server has sent it and not
    // yet marked it sent when it dies. Four more wait in the outbox behind it.
    sink.control({{"hold", true}});
    for (int i = 0; i < 5; ++i) team.submit(device, ticket_body("Kill test " + std::to_string(i)));
    REQUIRE(sink.wait_for_messages(1).size() == 1);
    team.server().kill9();
    sink.control(Json::object());
    sink.release();
    REQUIRE(sink.messages().size() == 1);  // the other four had not been sent

    team.server().start();
    // Every message arrives; then one more ticket, whose message comes after all of them
    // (the outbox is sent in order): past it, nothing else of before the kill can come.
    const auto last = team.submit(device, ticket_body("After the restart"));
    const auto got = sink.wait_for_messages(7);
    REQUIRE(got.size() >= 7);
    CHECK(got.back()["headers"]["X-Helpline-Ticket"] == std::to_string(last));
    const auto count = copies(got);
    CHECK(count.size() == 6);  // six messages, none lost
    int duplicates = 0;
    for (const auto& [id, n] : count) {
        INFO(id);
        CHECK(n <= 2);
        duplicates += n - 1;
    }
    // The one in flight at the kill came twice, the same message (same Message-ID); no other.
    CHECK(duplicates == 1);
    CHECK(count.at(got[0]["headers"]["Message-ID"].get<std::string>()) == 2);
    CHECK(got.size() == 7);
    // The relay stores a message before it answers: the last one is marked sent just after.
    CHECK(wait_for([&] { return body_json(team.call("GET", "/api/v1/email", team.admin_token()))["queued"] == 0; }));
}

TEST_CASE("each kill -9 during sending causes at most one duplicate however many kills") {
    SmtpSink sink;
    Team team(email_args(sink));
    notified_operator(team, "ana");
    const auto device = team.register_device();
    // The worst case: every kill comes while the relay holds the same message, so each
    // start sends it again.
    sink.control({{"hold", true}});
    for (int i = 0; i < 3; ++i) team.submit(device, ticket_body("Burst " + std::to_string(i)));
    REQUIRE(sink.wait_for_messages(1).size() == 1);
    constexpr int kKills = 3;
    for (int kill = 1; kill <= kKills; ++kill) {
        team.server().kill9();
        team.server().start();
        REQUIRE(sink.wait_for_messages(static_cast<std::size_t>(kill + 1)).size() ==
                static_cast<std::size_t>(kill + 1));
    }
    sink.control(Json::object());
    sink.release();
    const auto got = sink.wait_for_messages(kKills + 3);
    REQUIRE(got.size() == kKills + 3);
    const auto count = copies(got);
    REQUIRE(count.size() == 3);  // none lost
    int duplicates = 0;
    for (const auto& [id, n] : count) duplicates += n - 1;
    CHECK(duplicates == kKills);  // one per kill, all of the message in flight
    CHECK(count.at(got[0]["headers"]["Message-ID"].get<std::string>()) == kKills + 1);
    CHECK(wait_for([&] { return body_json(team.call("GET", "/api/v1/email", team.admin_token()))["queued"] == 0; }));
}

TEST_CASE("the configuration file's [run] settings configure email, with credentials from a 0600 file") {
    SmtpSink sink("relay-user:relay secret");
    TempDir dir;
    const auto credentials = dir / "smtp-credentials";
    write_text(credentials, "# the relay's account\nuser = relay-user\npassword = relay secret\n");
    std::filesystem::permissions(credentials, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const auto config = dir / "server.conf";
    write_text(config, "[run]\nsmtp-url = " + sink.url() +
                           "\nsmtp-from = helpline@team.example\npublic-url = https://helpline.team.example\n"
                           "smtp-credentials = " + credentials.string() + "\n");
    auto args = unlimited_args();
    args.insert(args.end(), {"--config", config.string()});
    Team team(args);
    notified_operator(team, "ana");
    team.submit(team.register_device(), ticket_body("Signed-in relay"));
    const auto got = sink.wait_for_messages(1);
    REQUIRE(got.size() == 1);  // the relay takes mail only after the sign-in
    CHECK(got[0]["rcpt_tos"] == Json::array({"ana@team.example"}));
}

TEST_CASE("smtp-ca in [run] lets the server verify a relay with a private CA over STARTTLS") {
    SmtpSink sink(SmtpSink::Tls::starttls);
    TempDir dir;
    const auto config = dir / "server.conf";
    write_text(config, "[run]\nsmtp-url = " + sink.url() +
                           "\nsmtp-from = helpline@team.example\npublic-url = https://helpline.team.example\n"
                           "smtp-ca = " + SmtpSink::ca_file().string() + "\n");
    auto args = unlimited_args();
    args.insert(args.end(), {"--config", config.string()});
    Team team(args);
    notified_operator(team, "ana");
    team.submit(team.register_device(), ticket_body("Over TLS"));
    const auto got = sink.wait_for_messages(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0]["tls"] == true);
}

TEST_CASE("an --smtp-ca file that cannot be read stops the server, naming it") {
    TempDir dir;
    const auto missing = dir / "no-such-ca.pem";
    const auto r = run_program({kServerBin, "run", "--data", dir.path().string(), "--listen", "127.0.0.1:0",
                                "--smtp-url", "smtp://127.0.0.1:25", "--smtp-from", "helpline@team.example",
                                "--public-url", "https://helpline.team.example", "--smtp-ca", missing.string()});
    CHECK(r.exit_code == 1);  // a file to fix, like the credentials file
    CHECK(r.err.find("error: The CA file '" + missing.string() + "' (--smtp-ca) cannot be read") !=
          std::string::npos);
}

TEST_CASE("a credentials file others can read stops the server, saying chmod 600") {
    TempDir dir;
    const auto credentials = dir / "smtp-credentials";
    write_text(credentials, "user = relay-user\npassword = relay secret\n");
    std::filesystem::permissions(credentials, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                                  std::filesystem::perms::group_read | std::filesystem::perms::others_read);
    const auto r = run_program({kServerBin, "run", "--data", dir.path().string(), "--listen", "127.0.0.1:0",
                                "--smtp-url", "smtp://127.0.0.1:25", "--smtp-from", "helpline@team.example",
                                "--public-url", "https://helpline.team.example", "--smtp-credentials",
                                credentials.string()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("chmod 600 '" + credentials.string() + "'") != std::string::npos);
    CHECK(r.err.find("mode 0644") != std::string::npos);
    // An SMTP option without the relay is a usage error naming it.
    const auto usage = run_program({kServerBin, "run", "--data", dir.path().string(), "--smtp-from",
                                    "helpline@team.example"});
    CHECK(usage.exit_code == 2);
    CHECK(usage.err.find("--smtp-from is given without --smtp-url") != std::string::npos);
}

}  // namespace helpline::test::e2e
