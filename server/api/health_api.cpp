#include "server/api/body_reader.h"
#include "server/api/cluster.h"
#include "server/api/handlers.h"

namespace helpline::server::api {

http::Response livez(const http::Request&, const Principal&, Context&) {
    http::Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "ok\n";
    return r;
}

http::Response readyz(const http::Request&, const Principal&, Context& ctx) {
    http::Response r;
    r.content_type = "text/plain; charset=utf-8";
    if (!ctx.store.healthy()) {
        r.status = 503;
        r.body = "database unavailable\n";
        return r;
    }
    // One of several servers that cannot hear the others would miss their events.
    if (ctx.cluster && !ctx.cluster->listening()) {
        r.status = 503;
        r.body = "not listening to the other servers yet\n";
        return r;
    }
    r.body = "ready\n";
    return r;
}

http::Response metrics(const http::Request&, const Principal&, Context& ctx) {
    Metrics::Gauges g;
    g.open_tickets = ctx.store.count_open_tickets();
    g.connected_devices = static_cast<std::int64_t>(ctx.hub.connected_devices());
    g.console_streams = static_cast<std::int64_t>(ctx.hub.console_streams());
    g.pending_connection_requests = ctx.store.count_pending_requests(ctx.clock.now());
    http::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = ctx.metrics.render(g);
    return r;
}

}  // namespace helpline::server::api
