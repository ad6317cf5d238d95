#include "server/api/routes.h"

#include "server/api/cluster.h"

#include <algorithm>
#include <memory>

#include "server/api/handlers.h"
#include "server/api/services.h"

namespace helpline::server::api {

bool is_upload(std::string_view method, std::string_view path) {
    // PUT /api/v1/tickets/{number}/attachments/{key}
    if (method != "PUT" || !path.starts_with("/api/v1/tickets/")) return false;
    const auto rest = path.substr(std::string_view("/api/v1/tickets/").size());
    const auto slash = rest.find('/');
    return slash != std::string_view::npos && rest.substr(slash).starts_with("/attachments/") &&
           rest.substr(slash + 13).find('/') == std::string_view::npos;
}

bool is_device_stream(std::string_view method, std::string_view path) {
    return method == "GET" && path == "/api/v1/events";
}

std::size_t body_limit(std::string_view method, std::string_view path, const Config& config) {
    if (method == "POST" && path == "/api/v1/profiles") return 1024 * 1024;
    if (is_upload(method, path)) return static_cast<std::size_t>(config.attachment_max_bytes);
    return 64 * 1024;
}

http::Router make_router(Context& ctx) {
    http::Router r;
    const auto add = [&](const char* method, const char* pattern, Access access, ApiHandler h) {
        add_route(r, ctx, method, pattern, access, std::move(h));
    };
    // Health.
    add("GET", "/livez", Access::anyone, livez);
    add("GET", "/readyz", Access::anyone, readyz);
    add("GET", "/metrics", Access::loopback_or_admin, metrics);
    // Device side.
    add("POST", "/api/v1/devices", Access::anyone, register_device);
    add("GET", "/api/v1/profiles/{id}", Access::device, get_profile);
    add("POST", "/api/v1/tickets", Access::device, submit_ticket);
    add("GET", "/api/v1/devices/me/tickets", Access::device, my_tickets);
    add("GET", "/api/v1/events", Access::device, device_events);
    add("POST", "/api/v1/connection-requests/{id}/accept", Access::device, accept_request);
    add("POST", "/api/v1/connection-requests/{id}/decline", Access::device, decline_request);
    add("POST", "/api/v1/sessions/{id}/end", Access::device_or_user, end_session);
    // The relay: the tunnel is authorised by the session's relay token (see handlers.h),
    // the viewer by the operator's credentials and the page's Origin.
    r.add("GET", "/api/v1/relay/{session_id}",
          [&ctx](const http::Request& q) { return relay_tunnel(q, Principal{}, ctx); });
    // ... and a side forwarded by another server of the team, by the servers' own token.
    r.add("GET", "/api/v1/internal/relay/{session_id}/{side}",
          [&ctx](const http::Request& q) { return relay_internal(q, Principal{}, ctx); });
    add("GET", "/api/v1/relay/{session_id}/view", Access::user, relay_view);
    // Operator side.
    add("POST", "/api/v1/auth/login", Access::anyone, login);
    add("POST", "/api/v1/auth/logout", Access::user, logout);
    add("GET", "/api/v1/auth/me", Access::user, whoami);
    add("POST", "/api/v1/auth/login/two-factor", Access::anyone, login_two_factor);
    add("GET", "/api/v1/account", Access::user, get_account);
    add("PATCH", "/api/v1/account", Access::user, patch_account);
    add("POST", "/api/v1/account/password", Access::user, change_password);
    add("POST", "/api/v1/account/sessions/sign-out-others", Access::user, sign_out_others);
    add("POST", "/api/v1/account/two-factor/setup", Access::user, setup_two_factor);
    add("POST", "/api/v1/account/two-factor/confirm", Access::user, confirm_two_factor);
    add("DELETE", "/api/v1/account/two-factor", Access::user, disable_two_factor);
    add("GET", "/api/v1/queue", Access::user, get_queue);
    add("GET", "/api/v1/team", Access::user, get_team);
    add("GET", "/api/v1/tickets/{number}", Access::user, get_ticket);
    add("PATCH", "/api/v1/tickets/{number}", Access::user, patch_ticket);
    add("POST", "/api/v1/tickets/{number}/close", Access::user, close_ticket);
    add("POST", "/api/v1/tickets/{number}/connect", Access::user, connect_ticket);
    add("GET", "/api/v1/connection-requests/{id}", Access::user, get_connection_request);
    add("GET", "/api/v1/history", Access::user, get_history);
    add("GET", "/api/v1/history/export", Access::user, export_history);
    add("GET", "/api/v1/history/requesters", Access::user, history_requesters);
    add("GET", "/api/v1/dashboard", Access::user, get_dashboard);
    add("GET", "/api/v1/console/events", Access::user, console_events);
    // Conversations: the ticket's device or a user who sees it.
    add("GET", "/api/v1/tickets/{number}/messages", Access::device_or_user, get_messages);
    add("POST", "/api/v1/tickets/{number}/messages", Access::device_or_user, post_message);
    add("PUT", "/api/v1/tickets/{number}/attachments/{key}", Access::device_or_user, put_attachment);
    add("GET", "/api/v1/attachments/{id}", Access::device_or_user, get_attachment);
    add("PUT", "/api/v1/tickets/{number}/read", Access::device_or_user, put_read);
    add("GET", "/api/v1/settings/attachments", Access::admin, get_attachment_setting);
    add("PUT", "/api/v1/settings/attachments", Access::admin, put_attachment_setting);
    // Admin.
    add("GET", "/api/v1/users", Access::admin, list_users);
    add("GET", "/api/v1/email", Access::admin, get_email);
    add("GET", "/api/v1/invitations/{token}", Access::anyone, get_invitation);
    add("POST", "/api/v1/invitations/{token}", Access::anyone, accept_invitation);
    add("POST", "/api/v1/users", Access::admin, create_user);
    add("PATCH", "/api/v1/users/{id}", Access::admin, patch_user);
    add("POST", "/api/v1/users/{id}/reset-password", Access::admin, reset_password);
    add("GET", "/api/v1/groups", Access::admin, list_groups);
    add("POST", "/api/v1/groups", Access::admin, create_group);
    add("PATCH", "/api/v1/groups/{id}", Access::admin, patch_group);
    add("DELETE", "/api/v1/groups/{id}", Access::admin, delete_group);
    add("GET", "/api/v1/groups/{id}/deletion", Access::admin, group_deletion);
    add("GET", "/api/v1/groups/{id}/members", Access::admin, get_members);
    add("PUT", "/api/v1/groups/{id}/members", Access::admin, put_members);
    add("GET", "/api/v1/organizations", Access::admin, list_organizations);
    add("POST", "/api/v1/organizations", Access::admin, create_organization);
    add("PATCH", "/api/v1/organizations/{domain}", Access::admin, rename_organization);
    add("DELETE", "/api/v1/organizations/{domain}", Access::admin, delete_organization);
    add("GET", "/api/v1/profiles", Access::admin, list_profiles);
    add("POST", "/api/v1/profiles", Access::admin, publish_profile);
    add("GET", "/api/v1/audit", Access::admin, get_audit);
    add("GET", "/api/v1/settings/two-factor", Access::admin, get_two_factor_setting);
    add("PUT", "/api/v1/settings/two-factor", Access::admin, put_two_factor_setting);
    add("GET", "/api/v1/audit/export", Access::admin, export_audit);
    // Operator console: static files, public and blind to credentials (see handlers.h).
    for (const char* method : {"GET", "HEAD"}) {
        r.add(method, "/", [&ctx](const http::Request& q) { return console_redirect(q, ctx); });
        r.add(method, "/console", [&ctx](const http::Request& q) { return console_file(q, ctx); });
        r.add(method, "/console/{path...}",
              [&ctx](const http::Request& q) { return console_file(q, ctx); });
    }
    return r;
}

http::Handler make_handler(Context& ctx) {
    // A device coming online or going away changes its open tickets' device_online, which
    // consoles show.
    // With several servers, the others learn it too (cluster.h).
    ctx.hub.on_presence([&ctx](const std::string& device_id, bool online) {
        if (ctx.cluster) ctx.cluster->presence(device_id, online);
        device_presence_changed(ctx, device_id);
    });
    auto router = std::make_shared<http::Router>(make_router(ctx));
    return [router](const http::Request& request) {
        http::Request routed = request;
        http::Response response = router->route(routed);
        response.header("X-Content-Type-Options", "nosniff");
        // Nothing is cached unless the handler says otherwise (the console's scripts do).
        const bool has_cache_control =
            std::any_of(response.headers.begin(), response.headers.end(),
                        [](const auto& h) { return h.first == "Cache-Control"; });
        if (!response.stream && !has_cache_control) response.header("Cache-Control", "no-store");
        // Counted in the HTTP front's on_request (server_app.cpp), which also sees the
        // answers it gives itself (400 bad target, 413, 431).
        return response;
    };
}

}  // namespace helpline::server::api
