#pragma once
// One side of a relayed session that reached a server other than the one where the session
// pairs (its "home", chosen by the first side to arrive: Store::claim_relay_home). This
// server accepts the side's connection as usual and forwards its bytes to the home over an
// internal connection: an HTTP upgrade to the home's internal relay door
// (/api/v1/internal/relay/{session}/{customer|viewer}, authorised by a token only the
// servers of the team can make), raw bytes for the customer's tunnel, a WebSocket of binary
// messages for the operator's viewer, so that the close code the home's relay gives the
// viewer (4000 ended, 4001 pair timeout, ...) reaches the viewer unchanged. The home pairs
// the two sides, keeps the time-outs and counts the bytes for the audit; this server only
// carries them, through the same bounded pipes as any upgraded connection: nothing queues
// beyond them in either direction.
//
// The internal connection is plain HTTP on one machine (--node-url http://127.0.0.1:…) or
// TLS between machines (https://), where the home must show the certificate whose key it
// announced in the database (cluster_nodes.tls_pin): the servers trust each other through
// the database they share, without a CA of their own. Two threads per forwarded side carry
// it (forwarded sides are few: one per session at most, and only when the balancer split
// the session); with TLS they take turns on the one OpenSSL object.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "server/http/upgrade.h"

namespace helpline::server::relay {

struct ForwardTarget {
    std::string node_url;       ///< the home's --node-url: http://HOST:PORT
    std::string path;           ///< its internal relay door for this session and side
    std::string authorization;  ///< the token for the Authorization header (Bearer ...)
    std::string tls_pin;        ///< https: the home's certificate key pin (http::public_key_pin)
    bool websocket = false;     ///< the viewer's side: a WebSocket (close codes carried)
};

/// A channel that forwards one side to its home. Connects when the side's upgrade is done
/// (ByteChannel::opened); a home that cannot be reached, or refuses, ends the side at once.
std::shared_ptr<http::ByteChannel> make_forward_channel(ForwardTarget target, std::size_t buffer_size,
                                                        std::chrono::milliseconds connect_timeout);

/// "http://HOST:PORT[/]" or "https://…" -> host, port and whether it is TLS; false for
/// anything else.
bool parse_node_url(const std::string& url, std::string& host, std::uint16_t& port, bool* tls = nullptr);

}  // namespace helpline::server::relay
