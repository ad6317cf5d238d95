// The upgrade handshakes (server/http/upgrade.cpp): the relay's raw tunnel
// (`Upgrade: helpline-relay/1`) and the viewer's WebSocket (RFC 6455 §4.2.1), on requests
// made from the connection's bytes as the server makes them (fuzz/http_input.*).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz/http_input.h"
#include "server/http/upgrade.h"
#include "shared/text.h"

namespace http = helpline::server::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    helpline::fuzz::for_each_request(bytes, [](http::Request& request) {
        (void)http::asks_upgrade(request, "helpline-relay/1");
        const bool websocket = http::is_websocket_handshake(request);
        for (const auto& protocol : http::websocket_protocols(request))
            if (protocol.empty() || protocol.find(',') != std::string::npos) std::abort();
        if (websocket) {
            // What the handshake accepted is what Beast's accept() will read.
            const auto key = request.header("Sec-WebSocket-Key");
            if (!key || helpline::trim_blanks(*key).size() != 24 || request.method != "GET") std::abort();
        }
        (void)request.bearer();
        (void)request.header("Origin");
    });
    return 0;
}
