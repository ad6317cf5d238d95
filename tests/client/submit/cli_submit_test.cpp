// helpline-cli request / requests against a real helpline-server on 127.0.0.1: the happy
// path, offline queueing, crashes between saving and sending and between sending and the
// answer, refusals, client-side validation, registration.

#include <catch2/catch.hpp>

#include "client/core/my_requests.h"
#include "client/core/outbox.h"
#include "client/core/submission.h"
#include "tests/client/submit/cli_fixture.h"

namespace helpline::test {
namespace {

const std::string kSaved =
    "Saved: your request will be sent automatically when the support server can be reached (run "
    "helpline-cli "
    "again, or keep helpline open)";

/// An outbox entry exactly as the client writes it, in the client's own folders.
client::OutboxEntry save_as_client_would(const StampedCli& cli, const nlohmann::json& body) {
    const client::Outbox outbox(cli.outbox(), client::RequestLog(cli.state() / "requests.log"));
    auto entry = outbox.add(body);
    REQUIRE(entry.ok());
    return *entry;
}

std::vector<client::LoggedRequest> request_log(const StampedCli& cli) {
    return client::RequestLog(cli.state() / "requests.log").read();
}

}  // namespace

TEST_CASE("a request reaches the server with its fields and the customer gets its number") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));

    auto r = cli.run({"request", "--group", "billing", "--email", "ana@acme.example",
                      "--description", "The invoice shows the wrong address", "--subject",
                      "Invoice", "--priority", "high"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);

    const auto queue = queue_of(server);
    REQUIRE(queue.size() == 1);
    const auto& t = queue[0];
    CHECK(r.out == "Your request number is " + std::to_string(t.at("number").get<int>()) + "\n");
    CHECK(t.at("requester").at("email") == "ana@acme.example");
    CHECK(t.at("description") == "The invoice shows the wrong address");
    CHECK(t.at("subject") == "Invoice");
    CHECK(t.at("priority") == "high");  // the demo profile lets customers choose
    CHECK(t.at("group").at("id") == "billing");

    // Nothing stays in the outbox; the local log remembers the number.
    CHECK(cli.outbox_files().empty());
    const auto logged = request_log(cli);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].result == "created");
    CHECK(logged[0].number == t.at("number").get<std::int64_t>());
    CHECK(logged[0].request.at("email") == "ana@acme.example");
}

TEST_CASE(
    "request --json prints the server's answer and the default group is used when none is given") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));

    auto r = cli.run(
        {"request", "--json", "--email", "bo@acme.example", "--description", "Screen is black"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto answer = nlohmann::json::parse(r.out);
    CHECK(answer.at("number").get<int>() >= 1001);
    CHECK(answer.at("status") == "open");
    CHECK(client::parse_utc(answer.at("created_at").get<std::string>()).has_value());
    const auto queue = queue_of(server);
    REQUIRE(queue.size() == 1);
    CHECK(queue[0].at("group").at("id") == "helpdesk");  // the demo profile's default_group
}

TEST_CASE("the device registers once and keeps its token in a file only the user can read") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));

    REQUIRE(cli.status().at("registered") == true);
    const auto identity_file = cli.state() / "identity.json";
    REQUIRE(fs::exists(identity_file));
    CHECK(file_mode(identity_file) == 0600);
    CHECK(file_mode(cli.state()) == 0700);
    const auto identity = nlohmann::json::parse(read_text(identity_file));
    CHECK(identity.at("device_token").get<std::string>().size() >= 32);

    // A second run uses the saved identity instead of registering again.
    REQUIRE(cli.status().at("registered") == true);
    CHECK(nlohmann::json::parse(read_text(identity_file)).at("device_id") ==
          identity.at("device_id"));

    // The request's file and log hold the customer's email: private too.
    auto r = cli.run({"request", "--email", "ana@acme.example", "--description", "Help"});
    REQUIRE(r.exit_code == 0);
    CHECK(file_mode(cli.state() / "requests.log") == 0600);
}

TEST_CASE(
    "a server that no longer knows the device's token gets a new registration and the request") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    REQUIRE(cli.status().at("registered") == true);

    auto identity = nlohmann::json::parse(read_text(cli.state() / "identity.json"));
    const std::string old_id = identity.at("device_id");
    identity["device_token"] = std::string(64, 'a');  // revoked, or the server's data was reset
    write_text(cli.state() / "identity.json", identity.dump());

    auto r = cli.run({"request", "--email", "ana@acme.example", "--description", "Help"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(queue_of(server).size() == 1);
    CHECK(nlohmann::json::parse(read_text(cli.state() / "identity.json")).at("device_id") !=
          old_id);
}

TEST_CASE(
    "the ticket poster registers again after a 401 and a resend with the same key gets the same "
    "ticket") {
    TempDir data, dir;
    ServerProcess server(kServerBin, data.path());
    server.start();
    const client::ClientPaths paths{dir / "config", dir / "state", dir / "runtime"};
    fs::create_directories(paths.state);
    Profile profile;
    REQUIRE(parse_profile(demo_profile(server.url()), profile).empty());
    client::ApiClient api(client::ServerEndpoint::from_profile(profile));
    write_text(paths.state / "identity.json", nlohmann::json{{"device_id", "0000"},
                                                             {"device_token", std::string(64, 'a')},
                                                             {"server", api.endpoint().base_url}}
                                                  .dump());

    const auto poster = client::make_ticket_poster(api, paths, profile, "test");
    const client::Outbox outbox(dir / "outbox", client::RequestLog(dir / "requests.log"));
    auto entry = outbox.add({{"email", "ana@acme.example"}, {"description", "Help"}});
    REQUIRE(entry.ok());
    const auto d = outbox.attempt(*entry, poster);
    INFO(d.error.message);
    REQUIRE(d.state == client::Delivery::State::delivered);
    CHECK(nlohmann::json::parse(read_text(paths.state / "identity.json")).at("device_id") !=
          "0000");

    auto again = poster(*entry, std::chrono::seconds(10));
    REQUIRE(again.ok());
    CHECK(again->status == 200);
    CHECK(again->json.at("number").get<std::int64_t>() == d.number);
    CHECK(queue_of(server).size() == 1);
}

TEST_CASE(
    "offline the request is queued, and the next run after the server starts delivers it exactly "
    "once") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();  // to learn its port; the client has never talked to it
    StampedCli cli(demo_profile(server.url()));
    REQUIRE(server.terminate() == 0);

    auto queued = cli.run({"request", "--wait", "1", "--email", "ana@acme.example", "--description",
                           "Nothing works"});
    INFO(queued.out << queued.err);
    REQUIRE(queued.exit_code == 5);
    CHECK(queued.out == kSaved + "\n");
    CHECK_THAT(queued.err, Catch::Contains("cannot be reached"));
    REQUIRE(cli.outbox_files().size() == 1);

    // Still offline: the request stays saved and is listed as not sent.
    auto listed = cli.run({"requests"});
    CHECK(listed.exit_code == 1);
    CHECK_THAT(listed.out, Catch::Contains("not sent yet"));
    REQUIRE(cli.outbox_files().size() == 1);

    server.start();
    auto delivered = cli.run({"requests"});
    INFO(delivered.out << delivered.err);
    REQUIRE(delivered.exit_code == 0);
    const auto queue = queue_of(server);
    REQUIRE(queue.size() == 1);
    const auto number = std::to_string(queue[0].at("number").get<int>());
    CHECK_THAT(delivered.err, Catch::Contains("its number is " + number));
    CHECK_THAT(delivered.out, Catch::Contains(number));
    CHECK(queue[0].at("description") == "Nothing works");
    CHECK(cli.outbox_files().empty());

    // Later runs do not send it again.
    REQUIRE(cli.run({"requests"}).exit_code == 0);
    REQUIRE(cli.run({"request", "--email", "ana@acme.example", "--description", "Second one"})
                .exit_code == 0);
    CHECK(queue_of(server).size() == 2);
    CHECK(request_log(cli).size() == 2);
}

TEST_CASE("a request saved by a client that stopped before sending is sent by the next run") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    REQUIRE(cli.status().at("registered") == true);

    const auto entry = save_as_client_would(cli, {{"email", "ana@acme.example"},
                                                  {"description", "Saved, never sent"},
                                                  {"group_id", "helpdesk"}});
    REQUIRE(cli.outbox_files().size() == 1);

    auto r = cli.run({"status"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto queue = queue_of(server);
    REQUIRE(queue.size() == 1);
    CHECK(queue[0].at("description") == "Saved, never sent");
    CHECK(cli.outbox_files().empty());
    const auto logged = request_log(cli);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].key == entry.key);
}

TEST_CASE(
    "a request the server stored before the client heard the answer makes exactly one ticket") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    REQUIRE(cli.status().at("registered") == true);
    const std::string token =
        nlohmann::json::parse(read_text(cli.state() / "identity.json")).at("device_token");

    const auto entry = save_as_client_would(cli, {{"email", "ana@acme.example"},
                                                  {"description", "Sent, answer lost"},
                                                  {"group_id", "billing"}});
    // The send the client made just before it died: the server has the ticket.
    CurlOptions post;
    post.method = "POST";
    post.headers = {"Authorization: Bearer " + token, "Content-Type: application/json",
                    "Idempotency-Key: " + entry.key};
    post.body = entry.body.dump();
    const auto first = curl_request(server.url("/api/v1/tickets"), post);
    REQUIRE(first.status == 201);
    const auto number = nlohmann::json::parse(first.body).at("number").get<std::int64_t>();

    auto r = cli.run({"requests", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("its number is " + std::to_string(number)));
    const auto queue = queue_of(server);
    REQUIRE(queue.size() == 1);
    CHECK(queue[0].at("number").get<std::int64_t>() == number);
    CHECK(cli.outbox_files().empty());
    const auto listed = nlohmann::json::parse(r.out);
    REQUIRE(listed.at("tickets").size() == 1);
    CHECK(listed.at("tickets")[0].at("number").get<std::int64_t>() == number);
    CHECK(listed.at("queued").empty());
}

TEST_CASE(
    "a request the server refuses is removed from the outbox and the reasons are shown per field") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());  // groups helpdesk and billing only
    server.start();
    auto profile = demo_profile(server.url());
    profile["assistance"]["groups"].push_back({{"id", "vip"}, {"name", {{"en", "VIP"}}}});
    StampedCli cli(profile);

    auto r = cli.run(
        {"request", "--group", "vip", "--email", "ana@acme.example", "--description", "Help"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("refused the request (HTTP 400)"));
    CHECK_THAT(r.err, Catch::Contains("--group: \"vip\" is not a group of this team"));
    CHECK(cli.outbox_files().empty());
    CHECK(queue_of(server).empty());
    const auto logged = request_log(cli);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].result == "refused");
    REQUIRE(logged[0].errors.size() == 1);
    CHECK(logged[0].errors[0].field == "group_id");

    // A saved request the server refuses is removed too, with the reasons shown at the next run.
    save_as_client_would(
        cli, {{"email", "ana@acme.example"}, {"description", "Old one"}, {"group_id", "vip"}});
    auto next = cli.run({"requests"});
    INFO(next.out << next.err);
    CHECK(next.exit_code == 0);
    CHECK_THAT(next.err, Catch::Contains("was refused by the support server and removed"));
    CHECK_THAT(next.err, Catch::Contains("--group: \"vip\" is not a group of this team"));
    CHECK(cli.outbox_files().empty());
}

TEST_CASE("client-side validation names every wrong field and nothing is saved or sent") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    auto profile = demo_profile(server.url());
    profile["assistance"]["customer_sets_priority"] = false;
    profile["assistance"]["subject"] = "required";
    profile["assistance"]["max_description"] = 100;
    StampedCli cli(profile);

    auto r = cli.run({"request", "--group", "sales", "--email", "ana at acme", "--description",
                      std::string(101, 'x'), "--priority", "urgent"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--email: \"ana at acme\" is not a valid email address"));
    CHECK_THAT(r.err, Catch::Contains(
                          "--description: is too long: at most 100 characters, this one has 101"));
    CHECK_THAT(
        r.err,
        Catch::Contains(
            "--group: \"sales\" is not a group of this team; choose one of helpdesk, billing"));
    CHECK_THAT(r.err, Catch::Contains("--subject: is required"));
    CHECK_THAT(r.err, Catch::Contains("--priority: this team sets the priority itself"));
    CHECK(cli.outbox_files().empty());

    auto json =
        cli.run({"request", "--json", "--subject", "Printer", "--email", "", "--description", " "});
    CHECK(json.exit_code == 2);
    const auto doc = nlohmann::json::parse(json.out);
    CHECK(doc.at("sent") == false);
    std::vector<std::string> fields;
    for (const auto& e : doc.at("errors")) fields.push_back(e.at("field"));
    CHECK(fields == std::vector<std::string>{"email", "description"});
    CHECK(queue_of(server).empty());
}

TEST_CASE("requests lists the customer's tickets with status, operator and waiting time") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    REQUIRE(cli.run({"request", "--email", "ana@acme.example", "--description", "One", "--subject",
                     "First"})
                .exit_code == 0);
    REQUIRE(cli.run({"request", "--email", "ana@acme.example", "--description", "Two", "--subject",
                     "Second"})
                .exit_code == 0);

    auto r = cli.run({"requests", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc.at("tickets").size() == 2);
    const auto& newest = doc.at("tickets")[0];
    CHECK(newest.at("subject") == "Second");
    CHECK(newest.at("status") == "open");
    CHECK(newest.at("operator_name").is_null());
    CHECK(newest.at("waiting_s").get<long long>() >= 0);

    auto table = cli.run({"requests"});
    REQUIRE(table.exit_code == 0);
    CHECK_THAT(table.out, Catch::StartsWith("Number  Status  Operator  Waiting"));
    CHECK_THAT(table.out, Catch::Contains("open"));
    CHECK_THAT(table.out, Catch::Contains("First"));
}

TEST_CASE(
    "a server whose certificate cannot be verified is never trusted and the request stays queued") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start({"--self-signed"});
    StampedCli cli(demo_profile(server.url()));  // https://127.0.0.1:PORT

    auto r =
        cli.run({"request", "--wait", "0", "--email", "ana@acme.example", "--description", "Help"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 5);
    CHECK_THAT(r.err, Catch::Contains("is not secure"));
    CHECK(cli.outbox_files().size() == 1);
    CHECK_FALSE(fs::exists(cli.state() / "identity.json"));
}

TEST_CASE("an unbranded helpline-cli refuses to start and --check-brand shows the brand") {
    auto unbranded = run_program({kCliBin, "requests"});
    CHECK(unbranded.exit_code == 3);
    CHECK_THAT(unbranded.err, Catch::Contains("is not branded"));

    StampedCli cli(demo_profile("http://127.0.0.1:9"));
    auto check = cli.run({"--check-brand"});
    CHECK(check.exit_code == 0);
    CHECK_THAT(check.out,
               Catch::StartsWith(
                   "helpline-cli: branded for Demo Support (profile demo-support, revision 1)"));

    // A damaged stamp: the last byte of the signed trailer changed.
    auto bytes = read_text(cli.binary());
    bytes[bytes.size() - 30] = static_cast<char>(bytes[bytes.size() - 30] ^ 0x55);
    const auto damaged = cli.dir() / "damaged-cli";
    write_text(damaged, bytes);
    fs::permissions(damaged, fs::perms::owner_all);
    auto refused = run_program({damaged.string(), "requests"});
    CHECK(refused.exit_code == 4);
    CHECK_THAT(refused.err, Catch::Contains("cannot be used"));
}

}  // namespace helpline::test
