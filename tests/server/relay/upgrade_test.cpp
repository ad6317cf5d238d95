// How the server recognises an upgrade request (server/http/upgrade.h): the relay's
// tunnel and a WebSocket opening handshake, before anything is claimed for them.

#include "server/http/upgrade.h"

#include <catch2/catch.hpp>

using namespace helpline::server::http;

namespace {

Request websocket_request() {
    Request r;
    r.method = "GET";
    r.target = "/api/v1/relay/abc/view";
    r.headers.add("Host", "support.example:8443");
    r.headers.add("Upgrade", "websocket");
    r.headers.add("Connection", "keep-alive, Upgrade");  // as Firefox sends it
    r.headers.add("Sec-WebSocket-Version", "13");
    r.headers.add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");  // RFC 6455's example
    return r;
}

Request without(const Request& from, const std::string& name) {
    Request r = from;
    r.headers = {};
    for (const auto& [n, v] : from.headers.all())
        if (n != name) r.headers.add(n, v);
    return r;
}

Request with(const Request& from, const std::string& name, const std::string& value) {
    Request r = without(from, name);
    r.headers.add(name, value);
    return r;
}

}  // namespace

TEST_CASE("a browser's WebSocket handshake is recognised, and one missing a part is not") {
    const Request good = websocket_request();
    CHECK(is_websocket_handshake(good));
    CHECK(is_websocket_handshake(with(good, "Upgrade", "WebSocket")));  // tokens ignore case
    for (const char* header :
         {"Host", "Upgrade", "Connection", "Sec-WebSocket-Version", "Sec-WebSocket-Key"}) {
        INFO("without " << header);
        CHECK_FALSE(is_websocket_handshake(without(good, header)));
    }
    CHECK_FALSE(is_websocket_handshake(with(good, "Sec-WebSocket-Version", "8")));
    CHECK_FALSE(is_websocket_handshake(with(good, "Connection", "keep-alive")));
    CHECK_FALSE(is_websocket_handshake(with(good, "Upgrade", "helpline-relay/1")));
    // The key must be 16 bytes in base64: 24 characters, the right padding.
    CHECK_FALSE(is_websocket_handshake(with(good, "Sec-WebSocket-Key", "short==")));
    CHECK_FALSE(
        is_websocket_handshake(with(good, "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZR==")));
    CHECK_FALSE(
        is_websocket_handshake(with(good, "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25j*Q==")));
    Request post = good;
    post.method = "POST";
    CHECK_FALSE(is_websocket_handshake(post));
}

TEST_CASE("the tunnel's upgrade needs both the Upgrade protocol and the Connection option") {
    Request r;
    r.method = "GET";
    r.headers.add("Upgrade", "helpline-relay/1");
    CHECK_FALSE(asks_upgrade(r, "helpline-relay/1"));
    r.headers.add("Connection", "Upgrade");
    CHECK(asks_upgrade(r, "helpline-relay/1"));
    CHECK_FALSE(asks_upgrade(r, "helpline-relay/2"));
    CHECK_FALSE(asks_upgrade(r, "websocket"));
}

TEST_CASE("the subprotocols a client offers are read in its order, over repeated headers") {
    Request r = websocket_request();
    CHECK(websocket_protocols(r).empty());
    r.headers.add("Sec-WebSocket-Protocol", "binary, base64");
    r.headers.add("Sec-WebSocket-Protocol", " chat ");
    CHECK(websocket_protocols(r) == std::vector<std::string>{"binary", "base64", "chat"});
}

TEST_CASE("an upgrade response is a 101 that carries its channel") {
    const auto response = upgrade_response({Upgrade::Kind::websocket, "binary", nullptr});
    CHECK(response.status == 101);
    REQUIRE(response.upgrade);
    CHECK(response.upgrade->kind == Upgrade::Kind::websocket);
    CHECK(response.upgrade->protocol == "binary");
    CHECK_FALSE(response.stream);
}
