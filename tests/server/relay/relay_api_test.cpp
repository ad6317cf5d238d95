// The relay's doors (server/api/relay_api.cpp) in-process, with the real registry: the
// checks behind the session id. Through the API a session id exists only once the customer
// has accepted, so a pending, declined or expired request can never be named over HTTP
// (tests/server/relay/relay_refusal_test.cpp shows that); here such requests are written
// into the store with a session id and a relay token, so that the state check itself is
// what refuses them, and would be if another path ever gave them one.

#include <catch2/catch.hpp>

#include "server/relay/registry.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

const Headers kViewHandshake = {{"Host", "127.0.0.1:8080"},
                                {"Upgrade", "websocket"},
                                {"Connection", "Upgrade"},
                                {"Sec-WebSocket-Version", "13"},
                                {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                {"Sec-WebSocket-Protocol", "binary"}};
const Headers kTunnelUpgrade = {
    {"Host", "127.0.0.1:8080"}, {"Upgrade", "helpline-relay/1"}, {"Connection", "Upgrade"}};

struct RelayDoors : ApiFixture {
    RelayDoors() : registry(relay::Options{}) {
        ctx().relay = &registry;
        group("first-line");
        requester = user("ana@team.example", Role::operator_, {"first-line"}, &requester_id);
        other_admin = user("boss@team.example", Role::admin);
        device_token = device(&device_id);
        ticket = submit(device_token, "first-line");
    }

    /// A connection request in `state` that carries a session id and a relay token, put
    /// straight into the store; the relay token.
    std::string stored_request(RequestState state, const std::string& session_id) {
        ConnectionRequest r;
        r.id = random_hex(16);
        r.ticket_number = ticket;
        r.device_id = device_id;
        r.operator_id = requester_id;
        r.state = state;
        r.created_at = clock.now();
        r.expires_at = clock.now() + 60;
        r.session_id = session_id;
        const std::string token = random_token(32);
        r.relay_token_hash = sha256_hex(token);
        r.vnc_password = "password1";
        REQUIRE(store().add_connection_request(r).ok());
        return token;
    }

    Reply view(const std::string& session_id, const std::string& token) {
        return call("GET", "/api/v1/relay/" + session_id + "/view", token, nullptr, kViewHandshake);
    }
    Reply tunnel(const std::string& session_id, const std::string& token) {
        return call("GET", "/api/v1/relay/" + session_id, token, nullptr, kTunnelUpgrade);
    }

    relay::Registry registry;
    UserId requester_id = 0;
    std::string requester, other_admin, device_token, device_id;
    TicketNumber ticket = 0;
};

std::string detail(const Reply& r) {
    return r.json.is_object() ? r.json.value("detail", "") : std::string();
}

}  // namespace

TEST_CASE_METHOD(RelayDoors, "a session that is not accepted is neither viewed nor tunnelled") {
    const auto [state, name] =
        GENERATE(table<RequestState, std::string>({{RequestState::pending, "pending"},
                                                   {RequestState::declined, "declined"},
                                                   {RequestState::expired, "expired"},
                                                   {RequestState::cancelled, "cancelled"},
                                                   {RequestState::ended, "ended"}}));
    INFO("state " << name);
    const std::string session = random_hex(16);
    const auto relay_token = stored_request(state, session);

    // The requesting operator, and the session's own relay token: only the state refuses.
    const auto viewed = view(session, requester);
    CHECK(viewed.status == 409);
    CHECK(detail(viewed) == "This session is " + name + "; there is nothing to view.");
    CHECK_FALSE(viewed.raw.upgrade);
    const auto tunnelled = tunnel(session, relay_token);
    CHECK(tunnelled.status == 409);
    CHECK(detail(tunnelled) == "This session is " + name + "; there is nothing to relay.");
    CHECK_FALSE(tunnelled.raw.upgrade);
    // Nothing was claimed: the registry has never heard of the session.
    CHECK(registry.active() == 0);
    CHECK_FALSE(registry.counts(session));
    // And the token was not spent by the refusal.
    const auto stored = store().request_by_session(session);
    REQUIRE(stored);
    CHECK(stored->relay_token_hash == sha256_hex(relay_token));
}

TEST_CASE_METHOD(RelayDoors,
                 "an accepted session opens both doors, to its requesting operator only") {
    const std::string session = random_hex(16);
    const auto relay_token = stored_request(RequestState::accepted, session);

    // An admin who did not ask to connect is refused the viewer like any other operator:
    // the customer agreed to the requester.
    const auto by_admin = view(session, other_admin);
    CHECK(by_admin.status == 404);
    CHECK(detail(by_admin) == "There is no such session of yours.");
    CHECK(registry.active() == 0);

    // The same fixture reaches past every check when the state is right (so the refusals
    // above are the state's and the operator's, not the fixture's).
    const auto viewed = view(session, requester);
    CHECK(viewed.status == 101);
    CHECK(viewed.raw.upgrade);
    const auto tunnelled = tunnel(session, relay_token);
    CHECK(tunnelled.status == 101);
    CHECK(tunnelled.raw.upgrade);
    CHECK(registry.active() == 1);
}

TEST_CASE_METHOD(RelayDoors, "a relay token opens its own session's tunnel only") {
    const std::string first = random_hex(16);
    const std::string second = random_hex(16);
    const auto first_token = stored_request(RequestState::accepted, first);
    (void)stored_request(RequestState::accepted, second);
    CHECK(tunnel(second, first_token).status == 401);
    CHECK(tunnel(second, device_token).status == 401);
    CHECK(registry.active() == 0);
}
