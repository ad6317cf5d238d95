#pragma once
// The API's routes: every endpoint of docs/protocol.md with its access rule.

#include "server/api/context.h"
#include "server/http/router.h"

namespace helpline::server::api {

/// Body limit per route: 1 MiB for profile publishing, the attachment limit for uploads,
/// 64 KiB for everything else.
std::size_t body_limit(std::string_view method, std::string_view path, const Config& config);
/// Whether the request line is an upload (PUT …/tickets/{number}/attachments/{key}): its
/// body is spooled to a file (server.h ServerOptions::spools_body).
bool is_upload(std::string_view method, std::string_view path);
/// Whether the request line opens a device's event stream (GET /api/v1/events): such
/// handshakes come by the thousand after a restart, and run on their own pool
/// (ServerOptions::background).
bool is_device_stream(std::string_view method, std::string_view path);

/// Builds the router; `ctx` must outlive it.
http::Router make_router(Context& ctx);

/// The whole request handler: routing, security headers, metrics.
http::Handler make_handler(Context& ctx);

}  // namespace helpline::server::api
