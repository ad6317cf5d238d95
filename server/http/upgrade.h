#pragma once
// Responses that upgrade the connection (HTTP/1.1 101): a raw byte stream (the relay's
// `Upgrade: helpline-relay/1` tunnel) or a WebSocket of binary messages (the relay's
// viewer). A handler answers with upgrade_response(); the HTTP session then writes the
// 101 (or does the WebSocket handshake) and moves bytes between the socket and the
// handler's ByteChannel until either ends. No Beast here: handlers see only this.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/byte_pipe.h"
#include "server/http/message.h"

namespace helpline::server::http {

/// The close frame a WebSocket connection sends when the server ends it.
struct CloseStatus {
    std::uint16_t code = 1000;  ///< RFC 6455 §7.4; 4000-4999 are the application's
    std::string reason;         ///< at most 123 bytes of UTF-8
};

/// What an upgraded connection is joined to; implemented by the application (the relay).
/// The connection produces into inbound() what the client sends and consumes from
/// outbound() what goes to the client:
/// - outbound finished (closed and drained): the connection closes politely (WebSocket:
///   a close frame with close_status());
/// - outbound aborted: the connection closes at once (WebSocket: still a close frame);
/// - inbound aborted: the connection stops reading but still delivers outbound;
/// - the client closes or fails: the connection closes inbound (what it sent is still
///   delivered) and aborts outbound, then calls closed().
class ByteChannel {
  public:
    virtual ~ByteChannel() = default;
    virtual BytePipe& inbound() = 0;
    virtual BytePipe& outbound() = 0;
    /// The upgrade is done (101 written; for a WebSocket, the handshake too). At most once.
    virtual void opened() = 0;
    /// The connection is over, or never opened (client gone before the 101, server
    /// stopping). Exactly once, on any thread; must not block.
    virtual void closed() = 0;
    /// For WebSocket connections: the close frame to send when the server ends it.
    virtual CloseStatus close_status() const = 0;
};

/// What an upgraded connection does with its channel when it ends, once (`released`
/// remembers): no more wake-ups; the channel hears it closed first, so a relay records this
/// side as the one that ended before the other side can see its pipe end; then what it was
/// sending is closed (delivered to the end) and what it was to receive is dropped.
void release_channel(ByteChannel& channel, bool& released);

struct Upgrade {
    enum class Kind { raw, websocket };
    Kind kind = Kind::raw;
    /// raw: the protocol for the Upgrade header of the 101 ("helpline-relay/1");
    /// websocket: the subprotocol chosen from the client's offer, or empty for none.
    std::string protocol;
    std::shared_ptr<ByteChannel> channel;
};

/// A 101 response that hands the connection to `upgrade.channel`.
Response upgrade_response(Upgrade upgrade);

/// Whether `request` asks to switch to `protocol`: its Upgrade header names it (case
/// insensitive) and its Connection header has the "upgrade" option.
bool asks_upgrade(const Request& request, std::string_view protocol);

/// Whether `request` is a WebSocket opening handshake the server can accept (RFC 6455
/// §4.2.1): GET, a Host, an HTTP/1.1 upgrade to "websocket", Sec-WebSocket-Version 13 and
/// a Sec-WebSocket-Key of 16 bytes in base64.
bool is_websocket_handshake(const Request& request);

/// The subprotocols the client offers in Sec-WebSocket-Protocol, in its order.
std::vector<std::string> websocket_protocols(const Request& request);

}  // namespace helpline::server::http
