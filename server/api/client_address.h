#pragma once
// Who the client is, as far as rate limits, the audit log and request logs are concerned,
// when a TLS-terminating proxy on the same host forwards the requests (docs/operations.md).
//
// Behind such a proxy every connection comes from 127.0.0.1. A request that names a
// client of its own (Forwarded, X-Forwarded-For or X-Real-IP) is therefore never taken
// for a local one, so loopback-only endpoints (/metrics) want an admin then. With
// `run --trust-forwarded-for`, requests from a loopback peer are keyed on the address the
// proxy appended last to X-Forwarded-For (the one it saw; earlier entries are whatever the
// client sent).

#include <string>
#include <string_view>

#include "server/api/context.h"
#include "server/http/message.h"

namespace helpline::server::api {

/// Whether the request carries a Forwarded, X-Forwarded-For or X-Real-IP header.
bool is_forwarded(const http::Request& request);

/// The peer is loopback and the request names no other client.
bool is_local_request(const http::Request& request);

/// The last entry of the last X-Forwarded-For header when it is an IPv4 or IPv6 address
/// (bare, no port); empty otherwise.
std::string last_forwarded_for(const http::Request& request);

/// The peer's address; with `config.trust_forwarded_for` and a loopback peer, the last
/// X-Forwarded-For entry instead when it is a valid IP address.
/// Whether `request` came from a proxy whose X-Forwarded-For is believed: a loopback peer
/// with trust_forwarded_for, or one of trusted_proxies.
bool from_trusted_proxy(const http::Request& request, const Config& config);

std::string client_address(const http::Request& request, const Config& config);

}  // namespace helpline::server::api
