// The management commands of helpline-server, run against the data folder of a running
// server: their exit codes and key lines, and their effects seen through the API.

#include <catch2/catch.hpp>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {
namespace {

std::string after(const std::string& text, const std::string& label) {
    const auto at = text.find(label);
    if (at == std::string::npos) return {};
    const auto begin = at + label.size();
    return text.substr(begin, text.find('\n', begin) - begin);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

long login_status(const Team& team, const std::string& email, const std::string& password) {
    return team
        .call("POST", "/api/v1/auth/login", {}, Json{{"email", email}, {"password", password}})
        .status;
}

Json group_named(const Team& team, const std::string& id) {
    const Json doc = body_json(team.call("GET", "/api/v1/groups", team.admin_token()));
    for (const auto& g : doc.at("groups"))
        if (g.at("id") == id) return g;
    return {};
}

}  // namespace

TEST_CASE("user add, list, disable and enable take effect on the running server") {
    Team team;
    auto& server = team.server();
    const auto added =
        server.admin({"user", "add", "--email", "olga@team.example", "--name", "Olga"});
    INFO(added.out << added.err);
    REQUIRE(added.exit_code == 0);
    CHECK(contains(added.out, "Added operator Olga <olga@team.example> with id "));
    const std::string password = after(added.out, "Password (shown once): ");
    REQUIRE(!password.empty());
    const std::string token = team.login("olga@team.example", password);
    CHECK(body_json(team.call("GET", "/api/v1/auth/me", token)).at("role") == "operator");

    const auto pia = server.admin({"user", "add", "--email", "pia@team.example", "--name", "Pia",
                                   "--role", "admin", "--password-stdin"},
                                  "pia-password-123\n");
    CHECK(pia.exit_code == 0);
    CHECK(!contains(pia.out, "Password (shown once)"));
    CHECK(body_json(team.call("GET", "/api/v1/auth/me",
                              team.login("pia@team.example", "pia-password-123")))
              .at("role") == "admin");

    const auto short_password = server.admin(
        {"user", "add", "--email", "quin@team.example", "--name", "Quin", "--password-stdin"},
        "short\n");
    CHECK(short_password.exit_code == 1);
    CHECK(contains(short_password.err, "at least 12 characters"));
    const auto taken =
        server.admin({"user", "add", "--email", "olga@team.example", "--name", "Olga 2"});
    CHECK(taken.exit_code == 1);
    CHECK(contains(taken.err, "error: "));
    CHECK(contains(server.admin({"user", "add", "--email", "olga", "--name", "O"}).err,
                   "'olga' is not a valid email address."));
    CHECK(contains(
        server.admin({"user", "add", "--email", "r@team.example", "--name", "R", "--role", "boss"})
            .err,
        "--role must be admin or operator."));

    const auto list = server.admin({"user", "list"});
    CHECK(list.exit_code == 0);
    CHECK(contains(list.out, "olga@team.example"));
    CHECK(contains(list.out, "pia@team.example"));
    CHECK(!contains(list.out, "quin@team.example"));

    const auto disabled = server.admin({"user", "disable", "--email", "olga@team.example"});
    CHECK(disabled.exit_code == 0);
    CHECK(contains(disabled.out, "Disabled (and signed out) olga@team.example."));
    CHECK(team.call("GET", "/api/v1/auth/me", token).status == 401);  // the session is gone
    CHECK(login_status(team, "olga@team.example", password) == 401);
    CHECK(contains(server.admin({"user", "list"}).out, "(disabled)"));
    const Json users = Json::parse(server.admin({"user", "list", "--json"}).out);
    REQUIRE(users.size() == 3);
    CHECK(users[1].at("email") == "olga@team.example");
    CHECK(users[1].at("disabled") == true);

    const auto enabled = server.admin({"user", "enable", "--email", "olga@team.example"});
    CHECK(enabled.exit_code == 0);
    CHECK(contains(enabled.out, "Enabled olga@team.example."));
    CHECK(login_status(team, "olga@team.example", password) == 200);
    CHECK(team.call("GET", "/api/v1/auth/me", token).status == 401);  // signed out for good

    const auto unknown = server.admin({"user", "disable", "--email", "nobody@team.example"});
    CHECK(unknown.exit_code == 1);
    CHECK(contains(unknown.err, "there is no user with the email nobody@team.example."));
}

TEST_CASE("group add, rename, members --set and delete take effect on the running server") {
    Team team;
    auto& server = team.server();
    const auto added = server.admin({"group", "add", "first-line", "First line"});
    CHECK(added.exit_code == 0);
    CHECK(contains(added.out, "Added group first-line (First line)."));
    CHECK(group_named(team, "first-line").value("name", "") == "First line");
    const auto bad_id = server.admin({"group", "add", "First_Line", "x"});
    CHECK(bad_id.exit_code == 1);
    CHECK(contains(bad_id.err, "2 to 40 lowercase letters, digits and '-'"));
    CHECK(server.admin({"group", "add", "helpdesk", "Again"}).exit_code == 1);

    const auto renamed = server.admin({"group", "rename", "first-line", "Front desk"});
    CHECK(renamed.exit_code == 0);
    CHECK(contains(renamed.out, "Renamed group first-line to Front desk."));
    CHECK(group_named(team, "first-line").value("name", "") == "Front desk");

    const auto olga = team.add_user("olga@team.example", "Olga", "olga-password-1");
    const auto set = server.admin(
        {"group", "members", "first-line", "--set", "olga@team.example,admin@team.example"});
    CHECK(set.exit_code == 0);
    CHECK(contains(set.out, "olga@team.example  Olga"));
    CHECK(contains(set.out, "admin@team.example  Admin"));
    CHECK(body_json(team.call("GET", "/api/v1/groups/first-line/members", team.admin_token()))
              .at("user_ids") == Json::array({1, olga}));
    const std::string token = team.login("olga@team.example", "olga-password-1");
    CHECK(body_json(team.call("GET", "/api/v1/auth/me", token)).at("groups") ==
          Json::array({"first-line"}));

    const auto device = team.register_device();
    const auto mine = team.submit(device, ticket_body("For the front desk", "first-line"));
    team.submit(device, ticket_body("For the help desk", "helpdesk"));
    Json queue = body_json(team.call("GET", "/api/v1/queue", token)).at("tickets");
    REQUIRE(queue.size() == 1);
    CHECK(queue[0].at("number") == mine);

    const auto unknown =
        server.admin({"group", "members", "first-line", "--set", "nobody@team.example"});
    CHECK(unknown.exit_code == 1);
    CHECK(contains(unknown.err, "nothing was changed"));
    CHECK(contains(server.admin({"group", "members", "first-line"}).out, "olga@team.example"));
    CHECK(contains(server.admin({"group", "members", "nope"}).err, "there is no group \"nope\"."));

    const auto emptied = server.admin({"group", "members", "first-line", "--set", ""});
    CHECK(emptied.exit_code == 0);
    CHECK(emptied.out.empty());
    CHECK(body_json(team.call("GET", "/api/v1/groups/first-line/members", team.admin_token()))
              .at("user_ids") == Json::array());
    CHECK(body_json(team.call("GET", "/api/v1/queue", token)).at("tickets").empty());
    REQUIRE(
        server.admin({"group", "members", "first-line", "--set", "olga@team.example"}).exit_code ==
        0);

    const auto deleted = server.admin({"group", "delete", "first-line"});
    CHECK(deleted.exit_code == 0);
    CHECK(contains(deleted.out, "Deleted group first-line: its open tickets are now unassigned (1)"));
    CHECK(group_named(team, "first-line").is_null());
    CHECK(body_json(team.call("GET", "/api/v1/queue", token)).at("tickets").empty());
    for (const auto& t : team.admin_queue())
        if (t.at("number") == mine) CHECK(t.at("group").is_null());
    CHECK(team.admin_queue().size() == 2);
    CHECK(server.admin({"group", "delete", "first-line"}).exit_code == 1);
}

TEST_CASE("org add and remove change how the queue names requesters") {
    Team team;
    auto& server = team.server();
    const auto device = team.register_device();
    team.submit(device, ticket_body("Invoice question", "billing", "ana@acme.example"));
    CHECK(team.admin_queue()[0].at("requester").at("organization").is_null());

    const auto added = server.admin({"org", "add", "ACME.example", "Acme Corp"});
    CHECK(added.exit_code == 0);
    CHECK(contains(added.out, "Requesters @ACME.example now show as Acme Corp."));
    const Json requester = team.admin_queue()[0].at("requester");
    CHECK(requester.at("organization") == "Acme Corp");
    CHECK(requester.at("email") == "ana@acme.example");
    const Json orgs = body_json(team.call("GET", "/api/v1/organizations", team.admin_token()))
                          .at("organizations");
    REQUIRE(orgs.size() == 1);
    CHECK(orgs[0].at("domain") == "acme.example");
    CHECK(server.admin({"org", "add", "acme.example", "Again"}).exit_code == 1);
    const auto bad = server.admin({"org", "add", "not a domain", "X"});
    CHECK(bad.exit_code == 1);
    CHECK(contains(bad.err, "is not an email domain"));

    const auto removed = server.admin({"org", "remove", "acme.example"});
    CHECK(removed.exit_code == 0);
    CHECK(contains(removed.out, "Removed organization acme.example."));
    CHECK(team.admin_queue()[0].at("requester").at("organization").is_null());
}

TEST_CASE("profile publish takes a signed envelope once per revision and refuses unknown groups") {
    Team team;
    auto& server = team.server();
    const auto envelope = team.dir() / "demo.envelope.json";
    const auto signed_ = run_program(
        {kBrandBin, "sign-profile", "--profile", source_path("branding/profiles/demo").string(),
         "--key", fixture("keys/test-signing-key.pem").string(), "--out", envelope.string()});
    INFO(signed_.out << signed_.err);
    REQUIRE(signed_.exit_code == 0);

    const auto published = server.admin({"profile", "publish", envelope.string()});
    INFO(published.out << published.err);
    CHECK(published.exit_code == 0);
    CHECK(contains(published.out, "Published profile demo-support revision 1; clients pick it up"));
    const auto device = team.register_device();
    const auto fetched = team.call("GET", "/api/v1/profiles/demo-support", device.token);
    CHECK(fetched.status == 200);
    CHECK(fetched.body == read_text(envelope));

    const auto again = server.admin({"profile", "publish", envelope.string()});
    CHECK(again.exit_code == 1);
    CHECK(contains(
        again.err,
        "Profile demo-support is already at revision 1; raise \"revision\" and sign again."));
    CHECK(contains(again.err, "revision: must be higher than 1, the published revision"));

    const auto unknown =
        server.admin({"profile", "publish",
                      sign_demo_profile(team.dir().path(), 2, {"helpdesk", "sales"}).string()});
    CHECK(unknown.exit_code == 1);
    CHECK(contains(unknown.err, "The profile names groups this team does not have."));
    CHECK(contains(
        unknown.err,
        "profile.assistance.groups[1].id: \"sales\" is not a group of this team; create it first"));

    const auto other_key = server.admin(
        {"profile", "publish",
         sign_demo_profile(team.dir().path(), 2, {}, "keys/other-signing-key.pem").string()});
    CHECK(other_key.exit_code == 1);
    CHECK(contains(other_key.err, "was published signed by another key (SHA256:"));
    CHECK(contains(other_key.err, "public_key: is not the key that signed the published revision"));

    CHECK(server.admin({"profile", "publish", sign_demo_profile(team.dir().path(), 2).string()})
              .exit_code == 0);
    const Json profiles =
        body_json(team.call("GET", "/api/v1/profiles", team.admin_token())).at("profiles");
    REQUIRE(profiles.size() == 1);
    CHECK(profiles[0].at("revision") == 2);
    CHECK(
        body_json(team.call("GET", "/api/v1/profiles/demo-support", device.token)).at("revision") ==
        2);

    const auto missing = server.admin({"profile", "publish", (team.dir() / "nope.json").string()});
    CHECK(missing.exit_code == 1);
    CHECK(contains(missing.err, "nope.json"));
    // A group the published profile offers to customers stays until a revision drops it.
    const auto offered = server.admin({"group", "delete", "billing"});
    CHECK(offered.exit_code == 1);
    CHECK(contains(offered.err, "The published profile demo-support (revision 2) offers the group "
                                "\"billing\""));
    CHECK(team.call("DELETE", "/api/v1/groups/billing", team.admin_token()).status == 409);
    CHECK(!group_named(team, "billing").is_null());
    CHECK(server.admin({"profile", "publish",
                        sign_demo_profile(team.dir().path(), 3, {"helpdesk"}).string()})
              .exit_code == 0);
    CHECK(server.admin({"group", "delete", "billing"}).exit_code == 0);
    CHECK(group_named(team, "billing").is_null());
}

TEST_CASE("team changes made with the CLI are audited as cli and reach the running server's consoles") {
    Team team;
    auto& server = team.server();
    const auto olga = team.add_user("olga@team.example", "Olga", "olga-password-1");
    const std::string olga_token = team.login("olga@team.example", "olga-password-1");
    CurlEventStream admin_console(server.url("/api/v1/console/events"), bearer(team.admin_token()));
    CurlEventStream olga_console(server.url("/api/v1/console/events"), bearer(olga_token));
    const auto queue_changes = [](const CurlEventStream& s) {
        const std::string text = s.text();
        std::size_t n = 0;
        for (auto at = text.find("event: queue-changed\n"); at != std::string::npos;
             at = text.find("event: queue-changed\n", at + 1))
            ++n;
        return n;
    };
    REQUIRE(wait_for([&] {
        return contains(admin_console.text(), "event: hello") &&
               contains(olga_console.text(), "event: hello");
    }));

    // The CLI writes to the database, not to the server: the server notices at its next
    // sweep (every second) and tells the consoles to reload their queue.
    REQUIRE(server.admin({"org", "add", "acme.example", "Acme Corp"}).exit_code == 0);
    CHECK(wait_for([&] { return queue_changes(admin_console) >= 1; }, std::chrono::seconds(5)));
    REQUIRE(server.admin({"group", "rename", "billing", "Invoices"}).exit_code == 0);
    REQUIRE(server.admin({"group", "members", "billing", "--set", "olga@team.example"}).exit_code ==
            0);
    CHECK(wait_for([&] { return queue_changes(olga_console) >= 2; }, std::chrono::seconds(5)));
    REQUIRE(server.admin({"org", "remove", "acme.example"}).exit_code == 0);

    const Json entries = body_json(team.call("GET", "/api/v1/audit", team.admin_token())).at("entries");
    const auto audited = [&](const std::string& action, const std::string& key, const Json& value) {
        for (const auto& e : entries)
            if (e.at("actor") == "cli" && e.at("action") == action && e.at("detail").value(key, Json()) == value)
                return true;
        return false;
    };
    CHECK(audited("organization-created", "domain", "acme.example"));
    CHECK(audited("group-renamed", "group_id", "billing"));
    CHECK(audited("group-members-set", "user_ids", Json::array({olga})));
    CHECK(audited("organization-removed", "domain", "acme.example"));

    // Disabled from the CLI: the user's console stream ends, the admin's goes on.
    REQUIRE(server.admin({"user", "disable", "--email", "olga@team.example"}).exit_code == 0);
    CHECK(wait_for([&] { return olga_console.finished(); }, std::chrono::seconds(5)));
    CHECK(!admin_console.finished());
    admin_console.stop();
    olga_console.stop();
}

TEST_CASE("management commands answer usage errors with exit code 2 and a missing team with 1") {
    TempDir dir;
    const auto none = run_program({kServerBin});
    CHECK(none.exit_code == 2);
    CHECK(contains(none.err, "no command given"));
    CHECK(run_program({kServerBin, "frobnicate"}).exit_code == 2);
    CHECK(run_program({kServerBin, "user", "add", "--data", dir.path().string()}).exit_code == 2);
    const auto empty =
        run_program({kServerBin, "user", "list", "--data", (dir / "empty").string()});
    CHECK(empty.exit_code == 1);
    CHECK(contains(empty.err, "there is no Helpline data in"));
    CHECK(contains(empty.err, "helpline-server init --data"));
}


TEST_CASE("a configuration file gives the data folder and run's options, and the command line wins") {
    TempDir dir;
    const auto config = dir / "server.conf";
    // The file's team is another one than the Team's below (its command line wins): in the
    // PostgreSQL pass a database of its own.
    const std::string database = pass_database();
    // listen would refuse to start (plain HTTP off loopback): the command line's wins.
    write_text(config, "# a packaged server's settings\ndata = " + (dir / "team").string() +
                           (database.empty() ? "" : "\ndatabase = " + database) +
                           "\n\n[run]\nlisten = 203.0.113.7:8080\nrequest-timeout = 7\n");
    Team team({"--config", config.string(), "--submit-limit", "1000000"});
    // The team's server was started with --data from the command line; request-timeout
    // came from the file.
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("The printer jams."));
    const auto connect = team.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/connect",
                                   team.admin_token());
    REQUIRE(connect.status == 201);
    const auto request = body_json(team.call(
        "GET", "/api/v1/connection-requests/" + body_json(connect).at("request_id").get<std::string>(),
        team.admin_token()));
    CHECK(request.at("expires_in_s").get<int>() <= 7);
    CHECK(request.at("expires_in_s").get<int>() >= 5);

    // A command without --data (and --database) takes the file's.
    ProgramResult init = run_program({kServerBin, "init", "--config", config.string(), "--admin-email",
                                      "boss@team.example"});
    INFO(init.out << init.err);
    CHECK(init.exit_code == 0);
    const auto listed = run_program({kServerBin, "user", "list", "--config", config.string()});
    CHECK(listed.exit_code == 0);
    CHECK(contains(listed.out, "boss@team.example"));
}

TEST_CASE("a configuration file with a setting the server does not know is refused, naming it") {
    TempDir dir;
    const auto config = dir / "server.conf";
    write_text(config, "data = " + dir.path().string() + "\n[run]\nlisten-on = 127.0.0.1:8080\n");
    const auto r = run_program({kServerBin, "run", "--config", config.string()});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, config.string()));
    CHECK(contains(r.err, "listen-on"));
    CHECK(contains(r.err, "[run]"));
}

TEST_CASE("a command without a data folder says where to give it") {
    TempDir dir;
    const auto r = run_program({kServerBin, "user", "list", "--config", (dir / "none.conf").string()});
    CHECK(r.exit_code != 0);
    const auto plain = run_program({kServerBin, "group", "add", "helpdesk", "Help desk"});
    CHECK(plain.exit_code == 2);
    CHECK(contains(plain.err, "group add needs the data folder: --data DIR, or `data = DIR` in the configuration file"));
}

}  // namespace helpline::test::e2e
