#include "server/api/services.h"

#include "server/api/handlers.h"

#include "server/api/cluster.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "shared/envelope.h"
#include "shared/profile.h"
#include "server/api/admin_common.h"
#include "server/api/body_reader.h"
#include "server/api/ticket_writer.h"

namespace helpline::server::api {

Directory Directory::load(Store& store) {
    Directory d;
    for (auto& u : store.users()) d.users.emplace(u.id, std::move(u));
    for (auto& g : store.groups()) d.groups.emplace(g.id, std::move(g));
    for (auto& o : store.organizations()) d.organizations.emplace(o.domain, std::move(o.name));
    return d;
}

std::string Directory::user_name(std::optional<UserId> id) const {
    if (!id) return {};
    const auto it = users.find(*id);
    return it == users.end() ? std::string{} : it->second.name;
}

std::optional<std::string> Directory::organization_for(const std::string& email) const {
    const auto it = organizations.find(email_domain(email));
    if (it == organizations.end()) return std::nullopt;
    return it->second;
}

nlohmann::json ticket_json(const Ticket& t, const Directory& dir, Timestamp now, bool device_online) {
    nlohmann::json j;
    j["number"] = t.number;
    const auto org = dir.organization_for(t.email);
    j["requester"] = {{"email", t.email}, {"organization", org ? nlohmann::json(*org) : nlohmann::json()}};
    j["priority"] = to_string(t.priority);
    j["status"] = to_string(t.status);
    j["created_at"] = format_time(t.created_at);
    j["updated_at"] = format_time(t.updated_at);
    j["waiting_s"] = t.status == TicketStatus::open ? now - t.created_at
                                                     : t.closed_at.value_or(now) - t.created_at;
    if (t.operator_id) j["operator"] = {{"id", *t.operator_id}, {"name", dir.user_name(t.operator_id)}};
    else j["operator"] = nullptr;
    if (t.group_id) {
        const auto g = dir.groups.find(*t.group_id);
        j["group"] = {{"id", *t.group_id}, {"name", g == dir.groups.end() ? *t.group_id : g->second.name}};
    } else {
        j["group"] = nullptr;
    }
    j["subject"] = t.subject;
    j["description"] = t.description;
    j["device_online"] = device_online;
    j["messages"] = t.message_count;
    j["last_customer_message_id"] = t.last_customer_message_id;
    j["assigned_at"] = t.operator_id && t.assigned_at ? nlohmann::json(format_time(*t.assigned_at)) : nlohmann::json();
    j["closed_at"] = t.closed_at ? nlohmann::json(format_time(*t.closed_at)) : nlohmann::json();
    j["time_to_close_s"] = t.closed_at ? nlohmann::json(*t.closed_at - t.created_at) : nlohmann::json();
    return j;
}

nlohmann::json device_ticket_json(const Ticket& t, const Directory& dir) {
    nlohmann::json j;
    j["number"] = t.number;
    j["status"] = to_string(t.status);
    j["priority"] = to_string(t.priority);
    j["group"] = t.group_id ? nlohmann::json(*t.group_id) : nlohmann::json();
    const std::string op = dir.user_name(t.operator_id);
    j["operator_name"] = op.empty() ? nlohmann::json() : nlohmann::json(op);
    j["subject"] = t.subject;
    j["created_at"] = format_time(t.created_at);
    j["closed_at"] = t.closed_at ? nlohmann::json(format_time(*t.closed_at)) : nlohmann::json();
    return j;
}

void send_device_event(Context& ctx, const std::string& device_id, const std::string& type,
                       const nlohmann::json& data) {
    StoredEvent e;
    e.device_id = device_id;
    e.type = type;
    e.data = data.dump();
    e.created_at = ctx.clock.now();
    auto id = ctx.store.append_event(e);
    if (!id) {
        spdlog::error("could not store a {} event for device {}: {}", type, device_id, id.error().message);
        return;
    }
    e.id = *id;
    ctx.hub.publish_device(device_id, e);
    if (ctx.cluster) ctx.cluster->device_event(device_id, e.id);
}

bool device_online(Context& ctx, const std::string& device_id) {
    return ctx.hub.device_online(device_id) || (ctx.cluster && ctx.cluster->online_elsewhere(device_id));
}

void console_ticket_changed(Context& ctx, const Ticket& after, const Ticket* before, const Directory* known) {
    if (ctx.cluster) ctx.cluster->ticket_changed(after, before);
    deliver_ticket_change(ctx, after, before, known);
}

void deliver_ticket_change(Context& ctx, const Ticket& after, const Ticket* before, const Directory* known) {
    if (ctx.hub.console_streams() == 0) return;  // a submission with no console open reads no names
    std::optional<Directory> loaded;
    if (known == nullptr) loaded = Directory::load(ctx.store);
    const Directory& dir = known != nullptr ? *known : *loaded;
    const bool online = after.status == TicketStatus::open && !after.device_id.empty() &&
                        device_online(ctx, after.device_id);
    const std::string number = std::to_string(after.number);
    std::string visible = "{\"number\":" + number + ",\"ticket\":";
    write_ticket_json(visible, after, dir, ctx.clock.now(), online);
    visible += '}';
    const std::string hidden = "{\"number\":" + number + ",\"ticket\":null}";
    ctx.hub.publish_ticket_change(visible, hidden, after, before);
}

void ticket_changed(Context& ctx, const Ticket& after, const Ticket* before) {
    const auto dir = Directory::load(ctx.store);
    if (!after.device_id.empty()) {
        const std::string op = dir.user_name(after.operator_id);
        send_device_event(ctx, after.device_id, "ticket-updated",
                          {{"number", after.number},
                           {"status", to_string(after.status)},
                           {"operator_name", op.empty() ? nlohmann::json() : nlohmann::json(op)}});
    }
    console_ticket_changed(ctx, after, before, &dir);
}

void device_presence_changed(Context& ctx, const std::string& device_id) {
    if (ctx.hub.console_streams() == 0) return;
    std::optional<Directory> dir;
    for (const Ticket& t : ctx.store.device_tickets(device_id, 1000)) {
        if (t.status != TicketStatus::open) continue;
        if (!dir) dir = Directory::load(ctx.store);
        deliver_ticket_change(ctx, t, nullptr, &*dir);
    }
}

void request_changed(Context& ctx, const ConnectionRequest& r) {
    if (ctx.cluster) ctx.cluster->request_changed(r.id);
    deliver_request_change(ctx, r);
}

void deliver_request_change(Context& ctx, const ConnectionRequest& r) {
    if (ctx.hub.console_streams() == 0) return;
    const auto ticket = ctx.store.ticket(r.ticket_number);
    nlohmann::json data{{"id", r.id}, {"ticket_number", r.ticket_number}, {"state", to_string(r.state)}};
    if (r.state == RequestState::declined)
        data["decline_reason"] = to_string(r.decline_reason.value_or(DeclineReason::customer));
    ctx.hub.publish_console("connection-request-changed", data.dump(), {ticket ? &*ticket : nullptr});
}

void requests_cancelled(Context& ctx, const ClosedTicket& closed, const std::string& actor) {
    const std::string why = closed.ticket.status == TicketStatus::expired ? "ticket-expired" : "ticket-closed";
    for (const ConnectionRequest& r : closed.cancelled) {
        audit(ctx, actor, "cancelled", r.ticket_number, r.id, {}, {{"reason", why}});
        send_device_event(ctx, r.device_id, "connection-cancelled", {{"id", r.id}, {"reason", "cancelled"}});
        request_changed(ctx, r);
    }
}

void refresh_consoles(Context& ctx) {
    const auto subscribers = ctx.hub.console_subscribers();
    if (subscribers.empty()) return;
    const Timestamp now = ctx.clock.now();
    const std::int64_t revision = ctx.store.team_revision();
    const std::string queue_changed = http::EventSink::frame("queue-changed", "{}");
    for (const auto& [viewer, sink] : subscribers) {
        switch (viewer->refresh(ctx.store, now, revision)) {
            case ConsoleViewer::Refresh::unchanged: break;
            case ConsoleViewer::Refresh::changed: sink->push(queue_changed); break;
            case ConsoleViewer::Refresh::ended: sink->close(); break;
        }
    }
}

void audit(Context& ctx, const std::string& actor, const std::string& action, std::optional<TicketNumber> ticket,
           const std::string& request_id, const std::string& session_id, const nlohmann::json& detail) {
    AuditEntry e;
    e.at = ctx.clock.now();
    e.actor = actor;
    e.action = action;
    e.ticket_number = ticket;
    e.request_id = request_id;
    e.session_id = session_id;
    e.detail = detail.dump();
    if (auto s = ctx.store.audit(e); !s) spdlog::error("audit log write failed: {}", s.error().message);
    spdlog::info("audit: {} {} ticket={} request={} session={} {}", actor, action,
                 ticket ? std::to_string(*ticket) : "-", request_id.empty() ? "-" : request_id,
                 session_id.empty() ? "-" : session_id, e.detail);
}

void flush_seen_devices(Context& ctx) {
    const auto seen = ctx.seen_devices->take();
    if (seen.empty() || ctx.store.touch_devices(seen)) return;
    for (const auto& [id, when] : seen) ctx.seen_devices->mark(id, when);  // the next sweep tries again
}

void sweep(Context& ctx) {
    const Timestamp now = ctx.clock.now();
    flush_seen_devices(ctx);  // every server its own devices' handshakes
    // With several servers, one of them runs the jobs (Store::lead_jobs); every one keeps
    // its own consoles fresh.
    const bool leading = ctx.store.lead_jobs();
    if (ctx.cluster) ctx.cluster->tick(leading);
    if (!leading) {
        refresh_consoles(ctx);
        return;
    }
    for (const ClosedTicket& c : ctx.store.expire_tickets(now - ctx.config.ticket_ttl.count(), now)) {
        audit(ctx, "system", "ticket-expired", c.ticket.number);
        requests_cancelled(ctx, c, "system");
        ticket_changed(ctx, c.ticket);
    }
    for (const ConnectionRequest& r : ctx.store.expire_requests(now)) {
        audit(ctx, "system", "expired", r.ticket_number, r.id);
        send_device_event(ctx, r.device_id, "connection-cancelled", {{"id", r.id}, {"reason", "expired"}});
        request_changed(ctx, r);
    }
    (void)ctx.store.prune_events(now - ctx.config.event_retention.count());
    if (ctx.cluster) (void)ctx.store.prune_relay_homes(now - 24 * 3600);
    remove_old_attachments(ctx);
    refresh_consoles(ctx);
}

std::optional<Profile> published_profile(Context& ctx, const std::string& id) {
    auto published = ctx.store.profile(id);
    if (!published) return std::nullopt;
    auto env = parse_envelope(published->envelope);
    if (!env) return std::nullopt;
    Profile profile;
    if (!parse_profile_text(env->profile_json, profile).empty()) return std::nullopt;
    return profile;
}

int request_timeout_for(Context& ctx, const Device& device) {
    const auto profile = published_profile(ctx, device.profile_id);
    return profile ? profile->remote.request_timeout_s : ctx.config.default_request_timeout_s;
}

std::optional<std::string> group_deletion_refused(Context& ctx, const std::string& group_id) {
    const auto offers = group_offers(ctx);
    const auto it = offers.find(group_id);
    if (it == offers.end()) return std::nullopt;
    std::string named;
    for (std::size_t i = 0; i < it->second.size(); ++i) {
        const GroupOffer& o = it->second[i];
        if (i > 0) named += i + 1 == it->second.size() ? " and " : ", ";
        named += o.profile_id + " (revision " + std::to_string(o.revision) + ")";
    }
    if (it->second.size() == 1) {
        const std::string& id = it->second.front().profile_id;
        return "The published profile " + named + " offers the group \"" + group_id +
               "\" to customers, whose submissions to it would all be refused. Publish a revision "
               "of " + id + " without it first, then delete the group.";
    }
    return "The published profiles " + named + " offer the group \"" + group_id +
           "\" to customers, whose submissions to it would all be refused. Publish a revision "
           "of each without it first, then delete the group.";
}

}  // namespace helpline::server::api
