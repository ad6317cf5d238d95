#pragma once
// Every API handler: plain functions of (request, caller, context) -> response, tested
// without sockets. Routes and access rules are in routes.cpp; docs/protocol.md is the
// contract.

#include <nlohmann/json.hpp>

#include "server/api/auth.h"

namespace helpline::server::relay {
struct Started;  // server/relay/registry.h
struct Ended;
}  // namespace helpline::server::relay

namespace helpline::server::api {

// Devices (devices_api.cpp).
http::Response register_device(const http::Request&, const Principal&, Context&);
http::Response get_profile(const http::Request&, const Principal&, Context&);
http::Response my_tickets(const http::Request&, const Principal&, Context&);
http::Response device_events(const http::Request&, const Principal&, Context&);

// Tickets from devices (submit_api.cpp).
http::Response submit_ticket(const http::Request&, const Principal&, Context&);

// The queue (queue_api.cpp).
http::Response get_queue(const http::Request&, const Principal&, Context&);
http::Response get_team(const http::Request&, const Principal&, Context&);
http::Response get_ticket(const http::Request&, const Principal&, Context&);
http::Response patch_ticket(const http::Request&, const Principal&, Context&);
http::Response close_ticket(const http::Request&, const Principal&, Context&);

// History (history_api.cpp) and the dashboard (dashboard_api.cpp).
http::Response get_history(const http::Request&, const Principal&, Context&);
http::Response export_history(const http::Request&, const Principal&, Context&);
http::Response history_requesters(const http::Request&, const Principal&, Context&);
http::Response get_dashboard(const http::Request&, const Principal&, Context&);
http::Response console_events(const http::Request&, const Principal&, Context&);

// Remote sessions (connect_api.cpp).
http::Response connect_ticket(const http::Request&, const Principal&, Context&);
http::Response get_connection_request(const http::Request&, const Principal&, Context&);
http::Response accept_request(const http::Request&, const Principal&, Context&);
http::Response decline_request(const http::Request&, const Principal&, Context&);
http::Response end_session(const http::Request&, const Principal&, Context&);

// The relay (relay_api.cpp). The tunnel's credential is the session's relay token, which
// its handler checks itself: it is registered on the router directly, not through
// add_route() (whose authentication would take the token for an unknown device token).
http::Response relay_tunnel(const http::Request&, const Principal&, Context&);
http::Response relay_view(const http::Request&, const Principal&, Context&);
/// The internal relay door (cluster.h): a side forwarded by another server of the team,
/// authorised by the servers' shared secret, joins the session here.
http::Response relay_internal(const http::Request&, const Principal&, Context&);
/// Ends a session's relay, if it has one; the audit detail with its byte counts.
nlohmann::json end_relay(Context& ctx, const std::string& session_id);
/// The registry's hooks (server/relay): audit "started"; audit "ended" and end the session
/// in the store when the relay ended by itself (a side closed, a timeout).
void relay_started(Context& ctx, const relay::Started& started);
void relay_ended(Context& ctx, const relay::Ended& ended);

// Sign-in (auth_api.cpp).
http::Response login(const http::Request&, const Principal&, Context&);
http::Response logout(const http::Request&, const Principal&, Context&);
http::Response whoami(const http::Request&, const Principal&, Context&);

// Two-factor sign-in (two_factor_api.cpp) and one's own account (account_api.cpp).
http::Response login_two_factor(const http::Request&, const Principal&, Context&);  ///< the code step
http::Response setup_two_factor(const http::Request&, const Principal&, Context&);
http::Response confirm_two_factor(const http::Request&, const Principal&, Context&);
http::Response disable_two_factor(const http::Request&, const Principal&, Context&);
http::Response get_two_factor_setting(const http::Request&, const Principal&, Context&);
http::Response put_two_factor_setting(const http::Request&, const Principal&, Context&);
http::Response get_account(const http::Request&, const Principal&, Context&);
http::Response patch_account(const http::Request&, const Principal&, Context&);
http::Response change_password(const http::Request&, const Principal&, Context&);
http::Response sign_out_others(const http::Request&, const Principal&, Context&);

// Team management: users (admin_api.cpp), groups (groups_api.cpp), organizations
// (organizations_api.cpp), profiles (profiles_api.cpp), the audit log (audit_api.cpp).
http::Response list_users(const http::Request&, const Principal&, Context&);
http::Response create_user(const http::Request&, const Principal&, Context&);
http::Response patch_user(const http::Request&, const Principal&, Context&);
http::Response reset_password(const http::Request&, const Principal&, Context&);
http::Response list_groups(const http::Request&, const Principal&, Context&);
http::Response create_group(const http::Request&, const Principal&, Context&);
http::Response patch_group(const http::Request&, const Principal&, Context&);
http::Response group_deletion(const http::Request&, const Principal&, Context&);  ///< what deleting would do
http::Response delete_group(const http::Request&, const Principal&, Context&);
http::Response get_members(const http::Request&, const Principal&, Context&);
http::Response put_members(const http::Request&, const Principal&, Context&);
http::Response list_organizations(const http::Request&, const Principal&, Context&);
http::Response create_organization(const http::Request&, const Principal&, Context&);
http::Response rename_organization(const http::Request&, const Principal&, Context&);
http::Response delete_organization(const http::Request&, const Principal&, Context&);
http::Response list_profiles(const http::Request&, const Principal&, Context&);
http::Response publish_profile(const http::Request&, const Principal&, Context&);
http::Response get_audit(const http::Request&, const Principal&, Context&);
http::Response export_audit(const http::Request&, const Principal&, Context&);

// Email (email_api.cpp): the relay and the outbox for admins; invitations, for anyone with
// the link (rate-limited like sign-in).
http::Response get_email(const http::Request&, const Principal&, Context&);
http::Response get_invitation(const http::Request&, const Principal&, Context&);
http::Response accept_invitation(const http::Request&, const Principal&, Context&);
/// With email configured, POST /api/v1/users makes the user with no usable password and
/// queues their invitation (a link valid 48 h), in one transaction.
Result<User> invite_user(User user, const Principal& who, Context& ctx);

// The operator console's static files (console_api.cpp): public, and blind to credentials
// (a stale cookie must not lock anyone out of the sign-in page), so they are registered on
// the router directly rather than through add_route(). GET and HEAD only.
http::Response console_redirect(const http::Request&, Context&);  ///< "/" -> "/console/"
http::Response console_file(const http::Request&, Context&);      ///< "/console", "/console/..."

// Health (health_api.cpp).
http::Response livez(const http::Request&, const Principal&, Context&);
http::Response readyz(const http::Request&, const Principal&, Context&);
http::Response metrics(const http::Request&, const Principal&, Context&);

/// Shared by handlers and the CLI: validates and stores a signed profile envelope.
/// Errors: 400 (not an envelope / invalid profile), 422 with a field per reason (bad
/// signature, revision not higher, another key, unknown groups).
http::Response publish_profile_text(Context& ctx, const std::string& text, const std::string& actor);

/// The caller's view for the store's queries: nullopt for an admin (everything), else the
/// user's id.
std::optional<UserId> view_of(const Principal& who);
/// Whose read marks (ticket_reads): "device" or "user:<id>".
std::string reader_of(const Principal& who);

// Conversations (conversation_api.cpp).
http::Response get_messages(const http::Request&, const Principal&, Context&);
http::Response post_message(const http::Request&, const Principal&, Context&);
/// Called twice: first with Request::admitting (the checks before the body is read), then
/// with the body in Request::body_file.
http::Response put_attachment(const http::Request&, const Principal&, Context&);
http::Response get_attachment(const http::Request&, const Principal&, Context&);
http::Response put_read(const http::Request&, const Principal&, Context&);
http::Response get_attachment_setting(const http::Request&, const Principal&, Context&);
http::Response put_attachment_setting(const http::Request&, const Principal&, Context&);
/// The sweep's part: the files of tickets closed longer than the retention (hourly).
void remove_old_attachments(Context& ctx);

/// Parses a "{number}" path parameter; nullopt if it is not a positive integer.
std::optional<TicketNumber> ticket_number_param(const http::Request& request);

}  // namespace helpline::server::api
