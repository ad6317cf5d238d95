// The relay's two doors (docs/protocol.md "Relay"): the customer's tunnel, authorised by
// the session's single-use relay token, and the operator's WebSocket viewer, authorised
// as that operator and by the page's Origin. Both lead only to the other side of the same
// accepted session (server/relay); there is nothing else to reach through them.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/secrets.h"
#include "server/api/cluster.h"
#include "server/api/services.h"
#include "server/http/problem.h"
#include "server/http/upgrade.h"
#include "server/relay/forward_channel.h"
#include "server/relay/registry.h"

namespace helpline::server::api {

using relay::Side;

namespace {

constexpr std::string_view kTunnelProtocol = "helpline-relay/1";
constexpr std::string_view kViewProtocol = "binary";  ///< noVNC's subprotocol
/// How a relay token that has opened its tunnel is kept: its hash behind this mark, so the
/// token is spent for good (also across restarts) and still recognised as this session's.
constexpr std::string_view kUsedMark = "used:";

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// Whether a browser page at `origin` may open the viewer: the server's own origin (the
/// scheme and the Host the browser connected to), or one the admin allowed.
bool origin_allowed(const http::Request& req, std::string_view origin, const Config& config) {
    const std::string given = lower(origin);
    for (const auto& allowed : config.allowed_origins) {
        std::string_view a = allowed;
        while (!a.empty() && a.back() == '/') a.remove_suffix(1);
        if (given == lower(a)) return true;
    }
    const auto host = req.header("Host");
    if (!host || host->empty()) return false;
    const std::string own = lower(*host);
    if (given == "https://" + own) return true;
    // Plain HTTP is only ever served on loopback, where the browser either talks to the
    // server directly (http://) or through a TLS-terminating proxy on the same host that
    // passes the Host on (https://). Over TLS, only https:// is the server's own.
    return !req.tls && given == "http://" + own;
}

http::Response upgrade_required(std::string_view protocol, std::string detail) {
    auto r = http::problem(426, std::move(detail));
    r.header("Upgrade", std::string(protocol));
    r.header("Connection", "Upgrade");
    return r;
}

http::Response refusal(relay::Refusal why, Side side) {
    switch (why) {
        case relay::Refusal::taken:
            return http::problem(
                409,
                side == Side::customer
                    ? "This session's tunnel is connected already; a relay token opens it once."
                    : "A viewer is connected to this session already; it can be viewed once.");
        case relay::Refusal::ended:
            return http::problem(409, "This session's relay has ended.");
        case relay::Refusal::stopping:
            return http::problem(503, "The server is stopping; try again in a moment.");
    }
    return http::problem(500, "The relay refused for no known reason.");
}

nlohmann::json counts_json(const relay::Counts& counts) {
    return {{"bytes_to_operator", counts.to_viewer}, {"bytes_to_customer", counts.to_customer}};
}

const char* side_name(Side side) { return side == Side::customer ? "customer" : "viewer"; }

/// With several servers (cluster.h): the channel that forwards this side to the server the
/// session pairs on, when that is another one; nullopt when it pairs here. A home that has
/// gone away leaves a null channel: the session cannot pair anywhere now.
std::optional<std::shared_ptr<http::ByteChannel>> forwarding(Context& ctx, const std::string& session_id, Side side) {
    if (!ctx.cluster) return std::nullopt;
    const std::string home = ctx.cluster->relay_home(session_id);
    if (home == ctx.cluster->node_id()) return std::nullopt;
    const auto node = ctx.cluster->node(home);
    if (!node) return std::shared_ptr<http::ByteChannel>();
    relay::ForwardTarget target;
    target.node_url = node->url;
    target.tls_pin = node->tls_pin;
    target.path = "/api/v1/internal/relay/" + session_id + "/" + side_name(side);
    target.authorization = ctx.cluster->relay_token(session_id, side_name(side));
    target.websocket = side == Side::viewer;
    return relay::make_forward_channel(std::move(target), ctx.relay->options().buffer_size, std::chrono::seconds(5));
}

http::Response home_gone() {
    return http::problem(503, "The server this session was being relayed through has stopped; end the session "
                              "and connect again.");
}

}  // namespace

http::Response relay_tunnel(const http::Request& req, const Principal& /*who*/, Context& ctx) {
    if (!ctx.relay) return http::problem(503, "This server does not relay sessions.");
    if (!http::asks_upgrade(req, kTunnelProtocol))
        return upgrade_required(kTunnelProtocol,
                                "The tunnel needs 'Upgrade: helpline-relay/1' and "
                                "'Connection: Upgrade'.");
    const auto token = req.bearer();
    if (!token)
        return unauthorized("The tunnel needs the session's relay token as a bearer token.");

    const std::string& session_id = req.params.at("session_id");
    auto r = ctx.store.request_by_session(session_id);
    if (!r || !r->relay_token_hash) return http::problem(404, "There is no such session.");
    std::string_view stored = *r->relay_token_hash;
    const bool used = stored.substr(0, kUsedMark.size()) == kUsedMark;
    if (used) stored.remove_prefix(kUsedMark.size());
    if (!equal_secret(sha256_hex(*token), stored))
        return unauthorized("The relay token is not valid for this session.");
    if (r->state != RequestState::accepted)
        return http::problem(409, "This session is " + std::string(to_string(r->state)) +
                                      "; there is nothing to relay.");
    if (used)
        return http::problem(409,
                             "This session's relay token has been used: the tunnel opens once.");

    auto forward = forwarding(ctx, session_id, Side::customer);
    if (forward && !*forward) return home_gone();
    std::shared_ptr<http::ByteChannel> channel;
    if (forward) {
        channel = std::move(*forward);
    } else {
        auto claim = ctx.relay->claim(session_id, Side::customer);
        if (const auto* refused = std::get_if<relay::Refusal>(&claim)) return refusal(*refused, Side::customer);
        channel = std::move(std::get<std::shared_ptr<http::ByteChannel>>(claim));
    }
    ConnectionRequest spent = *r;
    spent.relay_token_hash = std::string(kUsedMark) + std::string(stored);
    if (auto s = ctx.store.transition_request(spent, RequestState::accepted); !s)
        return http::problem(409, "This session ended meanwhile.");  // the claim closes with it
    return http::upgrade_response({http::Upgrade::Kind::raw, std::string(kTunnelProtocol), std::move(channel)});
}

http::Response relay_view(const http::Request& req, const Principal& who, Context& ctx) {
    if (!ctx.relay) return http::problem(503, "This server does not relay sessions.");
    if (!http::is_websocket_handshake(req))
        return upgrade_required("websocket",
                                "The viewer is a WebSocket: open it with a WebSocket client "
                                "(Upgrade: websocket, Sec-WebSocket-Version: 13).");
    // A browser cannot put a bearer token on a WebSocket, so the console's viewer comes
    // with the session cookie, and no CSRF header either: the Origin is what tells the
    // console's own page from another site's. A bearer token is never sent by a browser on
    // its own; its Origin, when given, must still be right.
    const auto origin = req.header("Origin");
    if (origin && !origin_allowed(req, *origin, ctx.config))
        return forbidden("This page's origin (" + std::string(*origin) +
                         ") may not open the viewer; open it from the server's own console.");
    if (!origin && !req.bearer())
        return forbidden("A viewer signed in with the session cookie must send an Origin header.");

    const auto offered = http::websocket_protocols(req);
    if (!offered.empty() &&
        std::find(offered.begin(), offered.end(), kViewProtocol) == offered.end())
        return http::problem(400, "The viewer speaks the 'binary' WebSocket subprotocol only.");

    const std::string& session_id = req.params.at("session_id");
    auto r = ctx.store.request_by_session(session_id);
    // Only the operator who asked to connect; not even an admin, since the customer agreed
    // to that operator.
    if (!r || r->operator_id != who.user->id)
        return http::problem(404, "There is no such session of yours.");
    if (r->state != RequestState::accepted)
        return http::problem(409, "This session is " + std::string(to_string(r->state)) +
                                      "; there is nothing to view.");

    const std::string protocol = offered.empty() ? std::string() : std::string(kViewProtocol);
    if (auto forward = forwarding(ctx, session_id, Side::viewer)) {
        if (!*forward) return home_gone();
        return http::upgrade_response({http::Upgrade::Kind::websocket, protocol, std::move(*forward)});
    }
    auto claim = ctx.relay->claim(session_id, Side::viewer);
    if (const auto* refused = std::get_if<relay::Refusal>(&claim))
        return refusal(*refused, Side::viewer);
    return http::upgrade_response({http::Upgrade::Kind::websocket, protocol,
                                   std::move(std::get<std::shared_ptr<http::ByteChannel>>(claim))});
}

http::Response relay_internal(const http::Request& req, const Principal& /*who*/, Context& ctx) {
    // Only another server of the team knows how to make the token; to anyone else this
    // door does not exist.
    const std::string& session_id = req.params.at("session_id");
    const std::string& side_text = req.params.at("side");
    const auto token = req.bearer();
    if (!ctx.cluster || !ctx.relay || (side_text != "customer" && side_text != "viewer") || !token ||
        !ctx.cluster->valid_relay_token(session_id, side_text, std::string(*token)))
        return http::problem(404, "Not found.");
    const Side side = side_text == "customer" ? Side::customer : Side::viewer;
    const bool websocket = side == Side::viewer;
    if (websocket ? !http::is_websocket_handshake(req) : !http::asks_upgrade(req, kTunnelProtocol))
        return upgrade_required(websocket ? std::string_view("websocket") : kTunnelProtocol,
                                "The internal relay door takes the side's own upgrade.");
    const auto r = ctx.store.request_by_session(session_id);
    if (!r || r->state != RequestState::accepted)
        return http::problem(409, "This session is not accepted; there is nothing to relay.");
    auto claim = ctx.relay->claim(session_id, side);
    if (const auto* refused = std::get_if<relay::Refusal>(&claim)) return refusal(*refused, side);
    return http::upgrade_response({websocket ? http::Upgrade::Kind::websocket : http::Upgrade::Kind::raw,
                                   websocket ? std::string(kViewProtocol) : std::string(kTunnelProtocol),
                                   std::move(std::get<std::shared_ptr<http::ByteChannel>>(claim))});
}

nlohmann::json end_relay(Context& ctx, const std::string& session_id) {
    if (!ctx.relay) return nlohmann::json::object();
    const auto counts = ctx.relay->end(session_id, relay::EndReason::session_ended);
    // Not relayed here: perhaps on another server, which ends it and audits its counts.
    if (!counts && ctx.cluster) ctx.cluster->end_relay(session_id);
    return counts ? counts_json(*counts) : nlohmann::json::object();
}

void relay_started(Context& ctx, const relay::Started& started) {
    const auto r = ctx.store.request_by_session(started.session_id);
    if (!r) return;
    audit(ctx, "system", "started", r->ticket_number, r->id, started.session_id);
}

void relay_ended(Context& ctx, const relay::Ended& ended) {
    auto r = ctx.store.request_by_session(ended.session_id);
    // Ended through POST /sessions/{id}/end: that handler has audited it, with the counts.
    if (!r || r->state != RequestState::accepted) return;
    // A relay that has ended cannot start again (the token is spent), so neither can the
    // session: it ends here, as if a side had ended it.
    ConnectionRequest over = *r;
    over.state = RequestState::ended;
    over.ended_at = ctx.clock.now();
    if (auto s = ctx.store.transition_request(over, RequestState::accepted); !s) return;
    auto detail = counts_json(ended.counts);
    detail["reason"] = std::string(relay::to_string(ended.reason));
    audit(ctx, "system", "ended", r->ticket_number, r->id, ended.session_id, detail);
    // The customer's client learns it from its tunnel closing; this also reaches a client
    // whose tunnel never came.
    if (ended.reason != relay::EndReason::customer_closed)
        send_device_event(ctx, r->device_id, "connection-cancelled",
                          {{"id", r->id}, {"session_id", ended.session_id}, {"reason", "ended"}});
    request_changed(ctx, over);
}

}  // namespace helpline::server::api
