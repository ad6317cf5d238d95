#include "server/api/body_reader.h"
#include "server/api/client_address.h"
#include "server/api/handlers.h"
#include "server/api/secrets.h"
#include "server/api/services.h"

namespace helpline::server::api {

http::Response register_device(const http::Request& req, const Principal&, Context& ctx) {
    int retry = 0;
    const std::string address = client_address(req, ctx.config);
    if (!ctx.limiter.allow("register:" + address, ctx.config.registrations_per_minute, 60, retry))
        return http::problem(429, "Too many registrations from this address; try again later.")
            .header("Retry-After", std::to_string(retry));
    BodyReader body(req, {"profile_id", "hostname", "os", "client_version"});
    if (body.failure()) return *body.failure();
    auto profile_id = body.string("profile_id", Need::required, 40);
    auto hostname = body.string("hostname", Need::optional, 255);
    auto os = body.string("os", Need::optional, 255);
    auto version = body.string("client_version", Need::optional, 64);
    if (profile_id && profile_id->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
        body.error("profile_id", "must be a profile id: lowercase letters, digits and '-'");
    if (!body.ok()) return body.problem();

    Device d;
    d.id = random_hex(16);
    const std::string token = random_token(32);
    d.token_hash = sha256_hex(token);
    d.profile_id = *profile_id;
    d.hostname = hostname.value_or("");
    d.os = os.value_or("");
    d.client_version = version.value_or("");
    d.created_at = d.last_seen_at = ctx.clock.now();
    if (auto s = ctx.store.add_device(d); !s) return http::problem(500, "Could not register the device.");
    audit(ctx, "device:" + d.id, "device-registered", {}, {}, {},
          {{"profile_id", d.profile_id},
           {"hostname", d.hostname},
           {"client_version", d.client_version},
           {"address", address}});
    return json_response(201, {{"device_id", d.id}, {"device_token", token}});
}

http::Response get_profile(const http::Request& req, const Principal&, Context& ctx) {
    auto published = ctx.store.profile(req.params.at("id"));
    if (!published) return http::problem(404, "No profile update is published for this profile id.");
    http::Response r;
    r.body = published->envelope;
    r.header("Cache-Control", "no-cache");
    return r;
}

http::Response my_tickets(const http::Request& req, const Principal& who, Context& ctx) {
    int limit = 50;
    if (auto it = req.query.find("limit"); it != req.query.end()) {
        const auto v = parse_decimal(it->second);
        if (!v || *v < 1 || *v > 500)
            return http::problem(400, "limit must be an integer from 1 to 500.",
                                 {{"limit", "must be an integer from 1 to 500"}}, "urn:helpline:problem:validation");
        limit = static_cast<int>(*v);
    }
    const auto dir = Directory::load(ctx.store);
    nlohmann::json list = nlohmann::json::array();
    const auto tickets = ctx.store.device_tickets(who.device->id, limit);
    std::vector<TicketNumber> numbers;
    for (const Ticket& t : tickets) numbers.push_back(t.number);
    // The team's messages the customer has not read yet (never counting internal notes).
    const auto unread = ctx.store.unread_by_device(numbers);
    for (const Ticket& t : tickets) {
        auto j = device_ticket_json(t, dir);
        const auto u = unread.find(t.number);
        j["unread"] = u == unread.end() ? 0 : u->second;
        list.push_back(std::move(j));
    }
    return json_response(200, {{"tickets", list}});
}

http::Response device_events(const http::Request& req, const Principal& who, Context& ctx) {
    // Resume: everything stored after Last-Event-ID that still matters. A connection
    // request is replayed only while it is pending and unexpired. The server only ever
    // sends decimal ids, so anything else is a client bug, said so rather than guessed at.
    std::int64_t last_id = -1;
    if (auto h = req.header("Last-Event-ID"); h && !h->empty()) {
        const auto v = parse_decimal(*h);
        if (!v)
            return http::problem(400, "Last-Event-ID must be the decimal id of an event this stream sent.",
                                 {{"Last-Event-ID", "must be a non-negative integer"}},
                                 "urn:helpline:problem:validation");
        last_id = *v;
    }
    const std::string& device_id = who.device->id;
    ctx.seen_devices->mark(device_id, ctx.clock.now());  // written by the next sweep
    auto sink = ctx.hub.subscribe_device(device_id);
    const Timestamp now = ctx.clock.now();
    const auto still_pending = [&](const nlohmann::json& data) {
        auto r = ctx.store.connection_request(data.value("id", ""));
        return r && r->state == RequestState::pending && r->expires_at > now;
    };
    if (last_id >= 0) {
        for (const StoredEvent& e : ctx.store.events_after(device_id, last_id, 1000)) {
            if (e.type == "connection-request" && !still_pending(nlohmann::json::parse(e.data, nullptr, false)))
                continue;
            sink->push(http::EventSink::frame(e.type, e.data, e.id));
        }
    } else {
        // A fresh start: the pending requests (with their stored event ids when known).
        for (const ConnectionRequest& r : ctx.store.pending_requests(device_id, now)) {
            const auto dir = Directory::load(ctx.store);
            nlohmann::json data = {{"id", r.id},
                                   {"operator_name", dir.user_name(r.operator_id)},
                                   {"ticket_number", r.ticket_number},
                                   {"expires_at", format_time(r.expires_at)},
                                   {"expires_in_s", r.expires_at - now}};
            sink->push(http::EventSink::frame("connection-request", data.dump()));
        }
    }
    http::Response r;
    r.content_type = "text/event-stream";
    r.stream = std::move(sink);
    return r;
}

}  // namespace helpline::server::api
