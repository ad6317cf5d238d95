// A customer's decline must reach the server: lost, the operator waits for an answer that
// never comes and later reads "expired". post_until_answered (client/core/api_client.*),
// used by the terminal client, the GUI and the session runner, sends it again while the
// server cannot be reached, until the request runs out — against the real helpline-server,
// killed and started again on the same port and data.

#include <catch2/catch.hpp>
#include <future>

#include "client/core/api_client.h"
#include "tests/client/events/team_server.h"
#include "tests/client/submit/cli_fixture.h"

namespace helpline::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

/// A device with a ticket and an operator's pending connection request for it.
struct PendingRequest {
    TempDir data;
    ServerProcess server{kServerBin, data.path()};
    std::string admin;
    std::string request;
    client::ApiClient device{client::ServerEndpoint{}};

    PendingRequest() {
        server.start();
        const TestDevice d = register_device(server);
        admin = admin_token(server);
        request = connect_ticket(server, admin, create_ticket(server, d.token));
        client::ServerEndpoint endpoint;
        endpoint.base_url = server.url("");
        device = client::ApiClient(endpoint);
        device.set_token(d.token);
    }
    std::string path() const { return "/api/v1/connection-requests/" + request + "/decline"; }
};

}  // namespace

TEST_CASE("a decline the server cannot take yet is sent again until it is taken") {
    PendingRequest scene;
    scene.server.kill9();  // the device's answer leaves while the server is down

    client::Persistence persistence;
    persistence.deadline = steady_clock::now() + seconds(30);
    persistence.attempt_timeout = seconds(5);
    const auto started = steady_clock::now();
    auto sent = std::async(std::launch::async, [&] {
        std::string problem;
        client::ApiReply reply;
        const bool taken = client::post_until_answered(
            scene.device, scene.path(), nlohmann::json{{"reason", "customer"}}, persistence, &reply,
            problem);
        return std::make_tuple(taken, reply.status, problem, steady_clock::now());
    });
    // Still trying while the server is away; it comes back on the same port and data.
    REQUIRE(sent.wait_for(seconds(2)) == std::future_status::timeout);
    const auto back = steady_clock::now();
    scene.server.start();

    REQUIRE(sent.wait_for(seconds(25)) == std::future_status::ready);
    const auto [taken, status, problem, done] = sent.get();
    INFO(problem);
    CHECK(taken);
    CHECK(status == 204);
    // Once back, the next attempt is at most the backoff's cap (4 s) away.
    CHECK(done - back < seconds(5) + milliseconds(500));
    CHECK(done - started >= seconds(2));
    CHECK(request_state(scene.server, scene.admin, scene.request) == "declined");
    CHECK(request_view(scene.server, scene.admin, scene.request)["decline_reason"] == "customer");
}

TEST_CASE("a decline that never reaches the server gives up by the request's deadline") {
    PendingRequest scene;
    scene.server.kill9();
    client::Persistence persistence;
    persistence.deadline = steady_clock::now() + seconds(3);
    persistence.attempt_timeout = seconds(5);
    const auto started = steady_clock::now();
    std::string problem;
    const bool taken = client::post_until_answered(scene.device, scene.path(), std::nullopt,
                                                   persistence, nullptr, problem);
    const auto took = steady_clock::now() - started;
    CHECK_FALSE(taken);
    CHECK_FALSE(problem.empty());  // the transport's error, in words
    CHECK(took >= milliseconds(200));  // tried more than once
    CHECK(took < seconds(3) + milliseconds(500));
}

TEST_CASE("a decline the server answers, yes or no, is sent once") {
    PendingRequest scene;
    client::Persistence persistence;
    persistence.deadline = steady_clock::now() + seconds(30);
    std::string problem;
    client::ApiReply reply;
    const auto started = steady_clock::now();
    REQUIRE(client::post_until_answered(scene.device, scene.path(), std::nullopt, persistence,
                                        &reply, problem));
    CHECK(reply.status == 204);
    // Sent again after an answer lost on the way: the server takes it as the same decline.
    CHECK(client::post_until_answered(scene.device, scene.path(), std::nullopt, persistence,
                                      &reply, problem));
    // A refusal is an answer: not sent again (an Allow after the decline is 409).
    CHECK_FALSE(client::post_until_answered(
        scene.device, "/api/v1/connection-requests/" + scene.request + "/accept",
        nlohmann::json{{"vnc_password", "s3cret-pw"}}, persistence, &reply, problem));
    CHECK(reply.status == 409);
    CHECK_THAT(problem, Catch::Contains("declined"));
    // A stop asked between attempts ends the wait at once.
    scene.server.kill9();
    persistence.stop = [] { return true; };
    CHECK_FALSE(client::post_until_answered(scene.device, scene.path(), std::nullopt, persistence,
                                            nullptr, problem));
    CHECK(steady_clock::now() - started < seconds(5));
}

}  // namespace helpline::test
