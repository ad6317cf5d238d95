#pragma once
// The hand-over of an upgraded connection from the HTTP session to the session that
// serves it (tunnel_session.h, websocket_session.h). Internal to server/http.

#include <chrono>
#include <memory>
#include <string>

#include "server/http/beast_stream.h"
#include "server/http/shared_state.h"
#include "server/http/upgrade.h"

namespace helpline::server::http {

/// Starts the session for `upgrade` on the caller's strand, with no operation pending on
/// `stream`: a raw stream writes the 101 itself; a WebSocket does the handshake. `early`
/// holds bytes the client sent right behind its request.
/// Instantiated for PlainStream and TlsStream (upgrade_start.cpp).
template <class Stream>
void start_upgrade(Stream stream, std::string early, Request request,
                   std::shared_ptr<Upgrade> upgrade, std::chrono::steady_clock::time_point started,
                   ConnectionTicket ticket, std::shared_ptr<SharedState> state);

/// The connection ended before the upgrade could happen: the channel is told.
void abandon_upgrade(const Upgrade& upgrade);

}  // namespace helpline::server::http
