// Profile updates end to end: published on a real server with `helpline-server profile
// publish`, taken by helpline-cli at start only when signed by its stamp's key with a
// higher revision, cached, and used offline.

#include <catch2/catch.hpp>

#include "tests/client/submit/cli_fixture.h"

namespace helpline::test {
namespace {

/// Signs `profile` with `key` and publishes it on `server`.
void publish(const ServerProcess& server, const TempDir& work, const nlohmann::json& profile,
             const fs::path& key) {
    const auto folder = write_profile(
        work / ("update-r" + std::to_string(profile.at("revision").get<int>())), profile);
    const auto envelope = sign_profile(folder, key, folder / "update.envelope.json");
    auto r = server.admin({"profile", "publish", envelope.string()});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
}

std::vector<std::string> groups_of(const nlohmann::json& status) {
    return status.at("groups").get<std::vector<std::string>>();
}

}  // namespace

TEST_CASE("a higher revision signed by the stamp's key is taken, cached, and used when offline") {
    TempDir data, work;
    ServerProcess server(kServerBin, data.path(), {"helpdesk", "billing", "vip"});
    server.start();
    StampedCli cli(demo_profile(server.url(), 1));
    REQUIRE(cli.status().at("revision") == 1);

    auto update = demo_profile(server.url(), 2);
    update["assistance"]["groups"].push_back({{"id", "vip"}, {"name", {{"en", "VIP"}}}});
    publish(server, work, update, fixture("keys/test-signing-key.pem"));

    auto status = cli.status();
    CHECK(status.at("revision") == 2);
    CHECK(status.at("profile_source") == "server");
    CHECK(groups_of(status) == std::vector<std::string>{"helpdesk", "billing", "vip"});
    CHECK(fs::exists(cli.state() / "profile.envelope.json"));
    CHECK(file_mode(cli.state() / "profile.envelope.json") == 0600);
    CHECK_THAT(read_text(cli.state() / "client.log"),
               Catch::Contains("Profile updated from revision 1 to 2"));

    // The new group can be chosen at once.
    auto sent = cli.run(
        {"request", "--group", "vip", "--email", "ana@acme.example", "--description", "Help"});
    INFO(sent.out << sent.err);
    REQUIRE(sent.exit_code == 0);
    CHECK(queue_of(server).at(0).at("group").at("id") == "vip");

    // Offline: the cached update is still in force, so the request passes validation and is queued.
    REQUIRE(server.terminate() == 0);
    status = cli.status();
    CHECK(status.at("revision") == 2);
    CHECK(status.at("profile_source") == "cache");
    auto queued = cli.run({"request", "--wait", "0", "--group", "vip", "--email",
                           "ana@acme.example", "--description", "Help again"});
    CHECK(queued.exit_code == 5);
}

TEST_CASE(
    "a profile update signed by another key is refused and the stamped profile stays in force") {
    TempDir data, work;
    ServerProcess server(kServerBin, data.path(), {"helpdesk", "billing", "vip"});
    server.start();
    StampedCli cli(demo_profile(server.url(), 1));

    auto update = demo_profile(server.url(), 7);
    update["assistance"]["groups"].push_back({{"id", "vip"}, {"name", {{"en", "VIP"}}}});
    publish(server, work, update, fixture("keys/other-signing-key.pem"));

    auto status = cli.status();
    CHECK(status.at("revision") == 1);
    CHECK(status.at("profile_source") == "stamp");
    CHECK(groups_of(status) == std::vector<std::string>{"helpdesk", "billing"});
    CHECK_FALSE(fs::exists(cli.state() / "profile.envelope.json"));
    CHECK_THAT(read_text(cli.state() / "client.log"), Catch::Contains("not by this client's key"));

    auto r = cli.run({"-v", "request", "--group", "vip", "--email", "ana@acme.example",
                      "--description", "Help"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--group: \"vip\" is not a group of this team"));
    CHECK_THAT(r.err, Catch::Contains("Profile update refused"));  // --verbose echoes the log
}

TEST_CASE("a profile update with a lower revision than the stamp's is refused") {
    TempDir data, work;
    ServerProcess server(kServerBin, data.path(), {"helpdesk", "billing", "vip"});
    server.start();
    StampedCli cli(demo_profile(server.url(), 5));

    auto update = demo_profile(server.url(), 3);
    update["assistance"]["groups"].push_back({{"id", "vip"}, {"name", {{"en", "VIP"}}}});
    publish(server, work, update, fixture("keys/test-signing-key.pem"));

    auto status = cli.status();
    CHECK(status.at("revision") == 5);
    CHECK(status.at("profile_source") == "stamp");
    CHECK(groups_of(status) == std::vector<std::string>{"helpdesk", "billing"});
    CHECK_THAT(read_text(cli.state() / "client.log"),
               Catch::Contains("revision 3, not higher than revision 5"));
}

TEST_CASE("a cached update older than a newly stamped profile is no longer used") {
    TempDir data, work;
    ServerProcess server(kServerBin, data.path(), {"helpdesk", "billing", "vip"});
    server.start();
    StampedCli cli(demo_profile(server.url(), 1));
    auto update = demo_profile(server.url(), 2);
    update["assistance"]["groups"].push_back({{"id", "vip"}, {"name", {{"en", "VIP"}}}});
    publish(server, work, update, fixture("keys/test-signing-key.pem"));
    REQUIRE(cli.status().at("revision") == 2);
    REQUIRE(server.terminate() == 0);

    // The admin ships a new build with revision 3; offline it must not fall back to the cache.
    cli.restamp(demo_profile(server.url(), 3));
    const auto status = cli.status();
    CHECK(status.at("revision") == 3);
    CHECK(status.at("profile_source") == "stamp");
}

}  // namespace helpline::test
