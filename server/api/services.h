#pragma once
// Operations shared by several handlers and the background sweeper: building the JSON
// shapes of docs/protocol.md, sending device and console events, expiry, audit.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/api/context.h"
#include "shared/profile.h"

namespace helpline::server::api {

/// A snapshot of names for rendering tickets: users, groups, organizations.
struct Directory {
    std::map<UserId, User> users;
    std::map<std::string, Group> groups;
    std::map<std::string, std::string> organizations;  ///< domain -> name

    static Directory load(Store& store);
    std::string user_name(std::optional<UserId> id) const;
    std::optional<std::string> organization_for(const std::string& email) const;
};

/// The queue/history shape of a ticket (docs/protocol.md).
nlohmann::json ticket_json(const Ticket& t, const Directory& dir, Timestamp now, bool device_online);
/// What a device sees of its own ticket.
nlohmann::json device_ticket_json(const Ticket& t, const Directory& dir);

/// Stores an event for a device (so it survives reconnects) and pushes it live.
void send_device_event(Context& ctx, const std::string& device_id, const std::string& type,
                       const nlohmann::json& data);

/// After a ticket changed: "ticket-updated" to its device, "ticket-changed" to consoles
/// that could see it before or can see it now.
void ticket_changed(Context& ctx, const Ticket& after, const Ticket* before = nullptr);

/// "ticket-changed" to consoles only: {number, ticket} to those that can see `after`,
/// {number, ticket: null} to those that could see `before` and no longer can; the other
/// servers are told too (cluster.h).
/// `dir`: names already loaded, or null (loaded only when a console is listening).
void console_ticket_changed(Context& ctx, const Ticket& after, const Ticket* before,
                            const Directory* dir = nullptr);
/// The same, to this server's consoles only (what another server told this one).
void deliver_ticket_change(Context& ctx, const Ticket& after, const Ticket* before, const Directory* dir);

/// Whether a device holds an event stream, on this server or another.
bool device_online(Context& ctx, const std::string& device_id);

/// A device's event stream opened or its last one closed (here or on another server): its
/// open tickets' device_online changed, so this server's consoles hear "ticket-changed".
void device_presence_changed(Context& ctx, const std::string& device_id);

/// After a connection request changed state: "connection-request-changed" to consoles that
/// can see its ticket, here and on the other servers.
void request_changed(Context& ctx, const ConnectionRequest& r);
/// The same, to this server's consoles only.
void deliver_request_change(Context& ctx, const ConnectionRequest& r);

/// After a ticket was closed or expired: each of its cancelled connection requests is
/// audited ("cancelled", by `actor`), the device hears "connection-cancelled" (its consent
/// dialog closes) and consoles hear "connection-request-changed".
void requests_cancelled(Context& ctx, const ClosedTicket& closed, const std::string& actor);

/// Re-reads the user behind every console stream (console_viewer.h): ends the streams of
/// users signed out or disabled, and sends "queue-changed" to those whose view or team
/// changed. The sweeper runs it, so changes made by the CLI reach consoles within a sweep
/// interval; the API's team changes run it at once.
void refresh_consoles(Context& ctx);

/// Appends to the audit log (never fails the caller; a failure is logged).
void audit(Context& ctx, const std::string& actor, const std::string& action,
           std::optional<TicketNumber> ticket = {}, const std::string& request_id = {},
           const std::string& session_id = {}, const nlohmann::json& detail = nlohmann::json::object());

/// Expires what is due at the clock's now: unclosed tickets past the TTL, pending
/// connection requests past their deadline; prunes old stored events. First it writes the
/// devices seen since the last sweep (flush_seen_devices).
void sweep(Context& ctx);
/// Writes the devices' last_seen_at marked by their event-stream handshakes, in one
/// transaction; on a failure they stay marked for the next time.
void flush_seen_devices(Context& ctx);

/// The published profile `id`, parsed; nullopt when none is published (or it does not parse).
std::optional<Profile> published_profile(Context& ctx, const std::string& id);

/// Request timeout for a device's profile (the published one), else the config default.
int request_timeout_for(Context& ctx, const Device& device);

/// Why group `group_id` may not be deleted: a published profile still offers it to
/// customers (their submissions to it would all be refused). nullopt when none does.
std::optional<std::string> group_deletion_refused(Context& ctx, const std::string& group_id);

}  // namespace helpline::server::api
