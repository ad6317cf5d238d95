#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/secrets.h"
#include "server/api/services.h"
#include "server/api/visibility.h"

namespace helpline::server::api {
namespace {

nlohmann::json request_json(const ConnectionRequest& r, bool with_secret, Timestamp now) {
    nlohmann::json j = {{"id", r.id},
                        {"ticket_number", r.ticket_number},
                        {"state", to_string(r.state)},
                        {"expires_at", format_time(r.expires_at)},
                        {"expires_in_s", std::max<Timestamp>(0, r.expires_at - now)}};
    if (r.session_id) j["session_id"] = *r.session_id;
    if (r.state == RequestState::declined)
        j["decline_reason"] = to_string(r.decline_reason.value_or(DeclineReason::customer));
    if (with_secret && r.state == RequestState::accepted && r.vnc_password) j["vnc_password"] = *r.vnc_password;
    return j;
}

/// The device's own request, or 404 (a device never learns of other devices' requests).
std::variant<ConnectionRequest, http::Response> own_request(const http::Request& req, const Principal& who,
                                                            Context& ctx) {
    auto r = ctx.store.connection_request(req.params.at("id"));
    if (!r || r->device_id != who.device->id) return http::problem(404, "There is no such connection request.");
    return std::move(*r);
}

/// 409 for a request that can no longer be answered; moves an overdue one to expired, and
/// one whose ticket is no longer open to cancelled (closing a ticket cancels its requests
/// in the same transaction; this covers requests stored before that was so).
std::optional<http::Response> answerable(Context& ctx, ConnectionRequest& r) {
    const Timestamp now = ctx.clock.now();
    if (r.state == RequestState::pending) {
        const auto ticket = ctx.store.ticket(r.ticket_number);
        const bool ticket_open = ticket && ticket->status == TicketStatus::open;
        if (!ticket_open || r.expires_at <= now) {
            ConnectionRequest over = r;
            over.state = ticket_open ? RequestState::expired : RequestState::cancelled;
            if (!ticket_open) over.ended_at = now;
            if (ctx.store.transition_request(over, RequestState::pending)) {
                if (ticket_open) {
                    audit(ctx, "system", "expired", r.ticket_number, r.id);
                } else {
                    audit(ctx, "system", "cancelled", r.ticket_number, r.id, {},
                          {{"reason", ticket && ticket->status == TicketStatus::expired ? "ticket-expired"
                                                                                         : "ticket-closed"}});
                    send_device_event(ctx, r.device_id, "connection-cancelled",
                                      {{"id", r.id}, {"reason", "cancelled"}});
                }
                request_changed(ctx, over);
            }
            r.state = over.state;
        }
    }
    if (r.state != RequestState::pending)
        return http::problem(409, "This connection request is " + std::string(to_string(r.state)) +
                                      " and can no longer be answered.");
    return std::nullopt;
}

/// The reason of a decline's body: none (clients before reasons send no body), `{}` or
/// `{"reason": null}` mean the customer's No; anything else must be one of the reasons.
std::variant<DeclineReason, http::Response> decline_reason(const http::Request& req) {
    if (req.body.empty()) return DeclineReason::customer;
    BodyReader body(req, {"reason"});
    if (body.failure()) return *body.failure();
    std::optional<DeclineReason> reason = DeclineReason::customer;
    if (body.has("reason") && !body.is_null("reason")) {
        const nlohmann::json& v = body.json()["reason"];
        reason = v.is_string() ? parse_decline_reason(v.get<std::string>()) : std::nullopt;
        if (!reason) body.error("reason", "must be one of customer, desktop_dialog, no_backend");
    }
    if (!body.ok()) return body.problem();
    return *reason;
}

}  // namespace

http::Response connect_ticket(const http::Request& req, const Principal& who, Context& ctx) {
    const auto number = ticket_number_param(req);
    auto t = number ? ctx.store.ticket(*number) : std::nullopt;
    if (!t || !can_see_ticket(*who.user, who.groups, *t)) return http::problem(404, "There is no such ticket in your view.");
    if (t->status != TicketStatus::open)
        return http::problem(409, "Ticket " + std::to_string(t->number) + " is closed; there is nobody to connect to.");
    if (t->device_id.empty()) return http::problem(409, "This ticket did not come from a Helpline client.");
    auto device = ctx.store.device(t->device_id);
    if (!device) return http::problem(409, "The customer's device is no longer registered.");

    const Timestamp now = ctx.clock.now();
    ConnectionRequest r;
    r.id = random_hex(16);
    r.ticket_number = t->number;
    r.device_id = t->device_id;
    r.operator_id = who.user->id;
    r.created_at = now;
    r.expires_at = now + request_timeout_for(ctx, *device);
    if (auto s = ctx.store.add_connection_request(r); !s) return http::problem(500, "Could not create the request.");
    (void)ctx.store.add_handler(t->number, who.user->id);
    ctx.metrics.connection_requests++;
    audit(ctx, who.actor(), "requested", t->number, r.id);
    send_device_event(ctx, r.device_id, "connection-request",
                      {{"id", r.id},
                       {"operator_name", who.user->name},
                       {"ticket_number", r.ticket_number},
                       {"expires_at", format_time(r.expires_at)},
                       {"expires_in_s", r.expires_at - now}});
    request_changed(ctx, r);
    return json_response(201, {{"request_id", r.id}, {"expires_at", format_time(r.expires_at)},
                               {"device_online", device_online(ctx, r.device_id)}});
}

http::Response get_connection_request(const http::Request& req, const Principal& who, Context& ctx) {
    auto r = ctx.store.connection_request(req.params.at("id"));
    // Only the operator who asked (or an admin) may follow a request; it carries the VNC password.
    if (!r || (r->operator_id != who.user->id && !who.is_admin()))
        return http::problem(404, "There is no such connection request of yours.");
    const Timestamp now = ctx.clock.now();
    if (r->state == RequestState::pending) (void)answerable(ctx, *r);
    return json_response(200, request_json(*r, r->operator_id == who.user->id, now));
}

http::Response accept_request(const http::Request& req, const Principal& who, Context& ctx) {
    auto found = own_request(req, who, ctx);
    if (auto* resp = std::get_if<http::Response>(&found)) return std::move(*resp);
    ConnectionRequest r = std::get<ConnectionRequest>(found);
    BodyReader body(req, {"vnc_password"});
    if (body.failure()) return *body.failure();
    auto password = body.string("vnc_password", Need::required, 64);
    if (password && password->size() < 8) body.error("vnc_password", "must be 8 to 64 characters");
    if (!body.ok()) return body.problem();
    if (auto refused = answerable(ctx, r)) return std::move(*refused);

    const std::string relay_token = random_token(32);
    ConnectionRequest accepted = r;
    accepted.state = RequestState::accepted;
    accepted.answered_at = ctx.clock.now();
    accepted.session_id = random_hex(16);
    accepted.relay_token_hash = sha256_hex(relay_token);
    accepted.vnc_password = *password;
    if (auto s = ctx.store.transition_request(accepted, RequestState::pending); !s)
        return http::problem(409, "This connection request was answered or cancelled meanwhile.");
    audit(ctx, who.actor(), "accepted", r.ticket_number, r.id, *accepted.session_id);
    request_changed(ctx, accepted);
    return json_response(200, {{"session_id", *accepted.session_id}, {"relay_token", relay_token}});
}

http::Response decline_request(const http::Request& req, const Principal& who, Context& ctx) {
    auto found = own_request(req, who, ctx);
    if (auto* resp = std::get_if<http::Response>(&found)) return std::move(*resp);
    ConnectionRequest r = std::get<ConnectionRequest>(found);
    // The body is checked before anything changes: a refused reason leaves the request
    // pending, so the client can decline again without one.
    auto reason = decline_reason(req);
    if (auto* resp = std::get_if<http::Response>(&reason)) return std::move(*resp);
    // Declined already: a client whose answer was lost on the way sends it again, and the
    // request stays as the first decline left it (its reason, one event, one audit entry).
    if (r.state == RequestState::declined) return no_content();
    if (auto refused = answerable(ctx, r)) return std::move(*refused);
    ConnectionRequest declined = r;
    declined.state = RequestState::declined;
    declined.answered_at = ctx.clock.now();
    declined.decline_reason = std::get<DeclineReason>(reason);
    if (auto s = ctx.store.transition_request(declined, RequestState::pending); !s)
        return http::problem(409, "This connection request was answered or cancelled meanwhile.");
    audit(ctx, who.actor(), "declined", r.ticket_number, r.id, {},
          {{"reason", to_string(*declined.decline_reason)}});
    request_changed(ctx, declined);
    return no_content();
}

http::Response end_session(const http::Request& req, const Principal& who, Context& ctx) {
    auto r = ctx.store.request_by_session(req.params.at("id"));
    const bool allowed = r && ((who.is_device() && r->device_id == who.device->id) ||
                               (who.is_user() && (r->operator_id == who.user->id || who.is_admin())));
    if (!allowed) return http::problem(404, "There is no such session of yours.");
    if (r->state != RequestState::accepted) return http::problem(409, "This session has already ended.");
    ConnectionRequest ended = *r;
    ended.state = RequestState::ended;
    ended.ended_at = ctx.clock.now();
    if (auto s = ctx.store.transition_request(ended, RequestState::accepted); !s)
        return http::problem(409, "This session has already ended.");
    // Both sides of the relay close first, so the relay ends as this session's end (the
    // viewer hears 4000) whatever the device does once it hears of it; the bytes they
    // carried go into the audit entry. Then the device hears why: its tunnel may close
    // first, and the client waits a moment for this reason (docs/client.md).
    const auto counts = end_relay(ctx, *r->session_id);
    if (!who.is_device())
        send_device_event(ctx, r->device_id, "connection-cancelled",
                          {{"id", r->id}, {"session_id", *r->session_id}, {"reason", "ended"}});
    audit(ctx, who.actor(), "ended", r->ticket_number, r->id, *r->session_id, counts);
    request_changed(ctx, ended);
    return no_content();
}

}  // namespace helpline::server::api
