#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/secrets.h"
#include "server/api/services.h"

namespace helpline::server::api {
namespace {

nlohmann::json submit_answer(const Ticket& t) {
    return {{"number", t.number}, {"status", to_string(t.status)}, {"created_at", format_time(t.created_at)}};
}

}  // namespace

http::Response submit_ticket(const http::Request& req, const Principal& who, Context& ctx) {
    const Device& device = *who.device;
    auto key = req.header("Idempotency-Key");
    if (!key || !is_uuid(*key))
        return http::problem(400, "Send an Idempotency-Key header holding a UUID, the same on every retry.",
                             {{"Idempotency-Key", key ? "must be a UUID" : "is required"}},
                             "urn:helpline:problem:validation");

    BodyReader body(req, {"email", "description", "group_id", "priority", "subject"});
    if (body.failure()) return *body.failure();
    auto email = body.string("email", Need::required, 254);
    auto description = body.string("description", Need::required, kMaxDescriptionLimit);
    auto group_id = body.string("group_id", Need::optional, 40);
    auto priority_text = body.string("priority", Need::optional, 10);
    auto subject = body.string("subject", Need::optional, 200);
    if (email && !is_valid_email(*email)) body.error("email", "is not a valid email address");
    std::optional<Priority> priority;
    if (priority_text) {
        priority = parse_priority(*priority_text);
        if (!priority) body.error("priority", "must be one of low, medium, high, urgent");
    }
    const auto unknown_group = [&] { body.error("group_id", "\"" + *group_id + "\" is not a group of this team"); };
    if (!body.ok()) {
        // Refused anyway: name every bad field at once, the group too.
        if (group_id && !group_id->empty() && !ctx.store.group(*group_id)) unknown_group();
        return body.problem();
    }
    // Whether the group exists is checked by the store after the key is looked up, in the
    // ticket's transaction: a retry of a stored submission gets its stored answer even when
    // the group has been deleted since (the client would otherwise drop it as refused).

    // Same key, same body -> same answer: the hash is over the canonical (sorted) JSON.
    const std::string request_hash = sha256_hex(body.json().dump());
    int retry = 0;

    NewTicket t;
    t.device_id = device.id;
    t.email = *email;
    t.description = *description;
    t.subject = subject.value_or("");
    t.group_id = group_id && !group_id->empty() ? group_id : std::nullopt;
    // The published profile decides whether customers may set the priority and what the
    // default is.
    const auto profile = published_profile(ctx, device.profile_id);
    t.priority = profile ? profile->assistance.default_priority : Priority::medium;
    if (priority && (!profile || profile->assistance.customer_sets_priority)) t.priority = *priority;
    t.created_at = ctx.clock.now();
    t.audit_actor = who.actor();  // audited in the ticket's own transaction

    // Only submissions that would create a ticket count against the limit: a retry of a
    // stored one always gets its answer.
    const auto within_limit = [&] {
        return ctx.limiter.allow("submit:" + device.id, ctx.config.submissions_per_minute, 60, retry);
    };
    auto result = ctx.store.submit_ticket(t, std::string(*key), request_hash, within_limit);
    if (!result) {
        if (result.error().code == store_error::kRefused)
            return http::problem(429, "Too many requests from this device; the client will retry.")
                .header("Retry-After", std::to_string(retry));
        if (result.error().code == store_error::kNotFound && result.error().where == "group_id") {
            unknown_group();
            return body.problem();
        }
        if (result.error().code == store_error::kIdempotencyMismatch)
            return http::problem(422, "This Idempotency-Key was already used for a different request.", {},
                                 "urn:helpline:problem:idempotency-key-reused");
        // The database is away (a restart, a full disk, a lost connection): nothing was
        // stored, and the same key later stores it once.
        return http::problem(503, "The request could not be stored now; retry with the same Idempotency-Key.")
            .header("Retry-After", "2");
    }
    if (!result->created) return json_response(200, submit_answer(result->ticket));

    ctx.metrics.tickets_submitted++;
    spdlog::info("audit: {} ticket-created ticket={}", who.actor(), result->ticket.number);
    console_ticket_changed(ctx, result->ticket, nullptr);
    return json_response(201, submit_answer(result->ticket));
}

}  // namespace helpline::server::api
