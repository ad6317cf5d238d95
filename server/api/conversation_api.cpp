// A ticket's conversation: messages, attachments, read marks (docs/protocol.md
// "Conversations"). A device reaches its own tickets, a user those in their view; internal
// notes and their files never reach a device.

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "server/api/attachment_file.h"
#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/rate_limiter.h"
#include "server/api/secrets.h"
#include "server/api/services.h"
#include "server/api/visibility.h"

namespace helpline::server::api {

namespace {

constexpr std::size_t kMaxBody = 10000;
constexpr std::size_t kMaxAttachmentsPerMessage = 20;
constexpr const char* kRetentionSetting = "attachment_retention_days";
constexpr int kDefaultRetentionDays = 90;

Author author_of(const Principal& who) {
    return who.is_device() ? Author::customer : Author::team;
}

/// The ticket of {number} if the caller may reach it; 404 otherwise (never saying that a
/// ticket the caller may not see exists).
std::variant<Ticket, http::Response> reachable_ticket(const http::Request& req, const Principal& who, Context& ctx) {
    const auto number = ticket_number_param(req);
    if (!number) return http::problem(404, "There is no such ticket.");
    auto t = ctx.store.ticket(*number);
    bool may = false;
    if (t && who.is_device()) {
        may = !t->device_id.empty() && t->device_id == who.device->id;
    } else if (t && who.is_user()) {
        may = t->status == TicketStatus::open ? can_see_ticket(*who.user, who.groups, *t)
                                              : can_see_history(*who.user, who.groups, *t);
    }
    if (!may) return http::problem(404, "There is no ticket " + std::to_string(*number) + " in your view.");
    return std::move(*t);
}

http::Response closed_refusal(const Ticket& t, const Principal& who) {
    const std::string state = t.status == TicketStatus::closed ? "closed" : "expired";
    if (who.is_device()) {
        return http::coded_problem(409, "ticket_closed",
                                   "Request " + std::to_string(t.number) + " is " + state +
                                       ": replies to it are not taken. Send a new request from the Assistance "
                                       "window, and mention this number.");
    }
    return http::coded_problem(409, "ticket_closed",
                               "Ticket " + std::to_string(t.number) + " is " + state +
                                   ": the customer can no longer be answered on it.");
}

/// Whether the caller may add to a ticket in its state.
bool may_add(const Ticket& t, const Principal& who, const Context& ctx) {
    return t.status == TicketStatus::open || (who.is_device() && ctx.config.reopen_on_reply);
}

nlohmann::json attachment_json(const Attachment& a) {
    return {{"id", a.id},
            {"ticket_number", a.ticket_number},
            {"message_id", a.message_id ? nlohmann::json(*a.message_id) : nlohmann::json()},
            {"name", a.name},
            {"size", a.size},
            {"type", a.type},
            {"image", a.image},
            {"sha256", a.sha256},
            {"internal", a.internal},
            {"author", to_string(a.author)},
            {"created_at", format_time(a.created_at)},
            {"removed", a.removed_at.has_value()}};
}

nlohmann::json message_json(const Message& m, const std::vector<Attachment>& files, const Directory& dir) {
    nlohmann::json list = nlohmann::json::array();
    for (const Attachment& a : files) list.push_back(attachment_json(a));
    const std::string name = m.author == Author::team ? dir.user_name(m.user_id) : std::string();
    return {{"id", m.id},
            {"ticket_number", m.ticket_number},
            {"author", to_string(m.author)},
            {"author_name", name.empty() ? nlohmann::json() : nlohmann::json(name)},
            {"body", m.body},
            {"internal", m.internal},
            {"created_at", format_time(m.created_at)},
            {"attachments", list}};
}

/// A device may add (messages and files) as often as it may submit: --submit-limit per
/// minute, counted apart from its submissions. nullopt: go on.
std::optional<http::Response> over_device_limit(const Principal& who, Context& ctx) {
    if (!who.is_device()) return std::nullopt;
    int retry = 0;
    if (ctx.limiter.allow("converse:" + who.device->id, ctx.config.submissions_per_minute * 4, 60, retry))
        return std::nullopt;
    return http::problem(429, "Too many messages and files from this device; wait a minute and send again.")
        .header("Retry-After", std::to_string(retry));
}

int retention_days(Context& ctx) {
    if (auto v = ctx.store.setting(kRetentionSetting)) {
        if (auto n = parse_decimal(*v); n && *n >= 1 && *n <= 3650) return static_cast<int>(*n);
    }
    return kDefaultRetentionDays;
}

}  // namespace

std::string reader_of(const Principal& who) {
    return who.is_device() ? std::string("device") : "user:" + std::to_string(who.user->id);
}

http::Response get_messages(const http::Request& req, const Principal& who, Context& ctx) {
    auto found = reachable_ticket(req, who, ctx);
    if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
    const Ticket& t = std::get<Ticket>(found);
    const bool team = who.is_user();
    const auto dir = Directory::load(ctx.store);
    std::map<std::int64_t, std::vector<Attachment>> by_message;
    nlohmann::json with_request = nlohmann::json::array();
    for (Attachment& a : ctx.store.attachments(t.number, team)) {
        if (a.message_id) by_message[*a.message_id].push_back(std::move(a));
        // The team's files in no message yet wait for a reply that is not sent: no one's but
        // the team's concern, and nothing that came with the request.
        else if (a.author == Author::customer || team) with_request.push_back(attachment_json(a));
    }
    nlohmann::json messages = nlohmann::json::array();
    for (const Message& m : ctx.store.messages(t.number, team)) messages.push_back(message_json(m, by_message[m.id], dir));
    const auto marks = ctx.store.read_marks(reader_of(who), {t.number});
    return json_response(200, {{"number", t.number},
                               {"status", to_string(t.status)},
                               {"description", t.description},
                               {"created_at", format_time(t.created_at)},
                               {"messages", messages},
                               {"attachments", with_request},
                               {"read_message_id", marks.empty() ? 0 : marks.begin()->second},
                               {"replies_reopen", ctx.config.reopen_on_reply},
                               {"attachment_max_bytes", ctx.config.attachment_max_bytes},
                               {"retention_days", retention_days(ctx)}});
}

http::Response post_message(const http::Request& req, const Principal& who, Context& ctx) {
    auto found = reachable_ticket(req, who, ctx);
    if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
    const Ticket before = std::get<Ticket>(found);
    auto key = req.header("Idempotency-Key");
    if (!key || !is_uuid(*key))
        return http::problem(400, "Send an Idempotency-Key header holding a UUID, the same on every retry.",
                             {{"Idempotency-Key", key ? "must be a UUID" : "is required"}},
                             "urn:helpline:problem:validation");
    BodyReader body(req, {"body", "attachments", "internal"});
    if (body.failure()) return *body.failure();
    NewMessage m;
    m.ticket_number = before.number;
    m.author = author_of(who);
    if (who.is_user()) m.user_id = who.user->id;
    if (auto text = body.string("body", Need::optional, kMaxBody)) m.body = *text;
    if (auto ids = body.integer_array("attachments", Need::optional)) {
        if (ids->size() > kMaxAttachmentsPerMessage)
            body.error("attachments", "at most " + std::to_string(kMaxAttachmentsPerMessage) + " files per message");
        m.attachment_ids = *ids;
    }
    if (body.has("internal")) {
        if (who.is_device()) body.error("internal", "a customer's message cannot be an internal note");
        else if (auto internal = body.boolean("internal", Need::required)) m.internal = *internal;
    }
    if (body.ok() && m.body.empty() && m.attachment_ids.empty())
        body.error("body", "write a message, or attach a file");
    if (!body.ok()) return body.problem();
    if (!may_add(before, who, ctx)) return closed_refusal(before, who);
    if (auto limited = over_device_limit(who, ctx)) return std::move(*limited);
    m.created_at = ctx.clock.now();
    m.idempotency_key = std::string(*key);
    m.request_hash = sha256_hex(body.json().dump());
    m.reopen = who.is_device() && ctx.config.reopen_on_reply;
    auto posted = ctx.store.post_message(m);
    if (!posted) {
        const auto& e = posted.error();
        if (e.code == store_error::kNotFound) return http::problem(404, "There is no such ticket.");
        if (e.code == store_error::kStale) return closed_refusal(before, who);
        if (e.code == store_error::kIdempotencyMismatch)
            return http::problem(422, "This Idempotency-Key was already used for a different message.", {},
                                 "urn:helpline:problem:idempotency");
        if (e.code == store_error::kInvalid)
            return http::problem(400, e.message, {{"attachments", e.message}}, "urn:helpline:problem:validation");
        return http::problem(503, "The message could not be stored now; send it again with the same Idempotency-Key.")
            .header("Retry-After", "2");
    }
    const auto dir = Directory::load(ctx.store);
    const nlohmann::json answer = message_json(posted->message, posted->attachments, dir);
    if (posted->created) {
        if (posted->reopened) {
            audit(ctx, who.actor(), "reopened", before.number, {}, {}, {{"message_id", posted->message.id}});
            ticket_changed(ctx, *posted->reopened, &before);
        } else {
            console_ticket_changed(ctx, posted->ticket, &before, &dir);
        }
        // The customer hears of the team's messages at once (stored: it survives a reconnect).
        if (posted->message.author == Author::team && !posted->message.internal && !before.device_id.empty())
            send_device_event(ctx, before.device_id, "ticket-message", {{"number", before.number}, {"message", answer}});
    }
    return json_response(posted->created ? 201 : 200, answer);
}

http::Response put_attachment(const http::Request& req, const Principal& who, Context& ctx) {
    auto found = reachable_ticket(req, who, ctx);
    if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
    const Ticket& t = std::get<Ticket>(found);
    const std::string key = req.params.at("key");
    if (!is_uuid(key))
        return http::problem(400, "The upload's key (the last part of its path) must be a UUID, the same on every retry.",
                             {{"key", "must be a UUID"}}, "urn:helpline:problem:validation");
    const auto header = req.header("X-Helpline-File-Name");
    auto name = clean_file_name(header.value_or(""));
    if (!name) return http::problem(400, name.error().message, {{"X-Helpline-File-Name", name.error().message}},
                                    "urn:helpline:problem:validation");
    bool internal = false;
    if (auto it = req.query.find("internal"); it != req.query.end()) {
        if (who.is_device() || (it->second != "1" && it->second != "0"))
            return http::problem(400, who.is_device() ? "A customer's file cannot be internal." : "internal must be 0 or 1.",
                                 {{"internal", who.is_device() ? "not allowed" : "must be 0 or 1"}},
                                 "urn:helpline:problem:validation");
        internal = it->second == "1";
    }
    if (!may_add(t, who, ctx)) return closed_refusal(t, who);
    if (req.admitting) {
        if (auto limited = over_device_limit(who, ctx)) return std::move(*limited);
        http::Response go;
        go.status = 100;  // read the body: the checks that need it come on the second call
        return go;
    }
    if (req.body_file.empty()) return http::problem(500, "The upload's body was not kept.");
    auto facts = inspect_file(req.body_file, *name);
    if (!facts) return http::problem(503, "The upload could not be read back; send it again.").header("Retry-After", "2");
    NewAttachment a;
    a.ticket_number = t.number;
    a.author = author_of(who);
    if (who.is_user()) a.user_id = who.user->id;
    a.upload_key = key;
    a.name = *name;
    a.declared_type = std::string(req.header("Content-Type").value_or("")).substr(0, 100);
    a.type = facts->type;
    a.image = facts->image;
    a.size = facts->size;
    a.sha256 = facts->sha256;
    a.internal = internal;
    a.created_at = ctx.clock.now();
    a.allow_closed = who.is_device() && ctx.config.reopen_on_reply;
    auto stored = ctx.store.store_attachment(a, req.body_file);
    if (!stored) {
        const auto& e = stored.error();
        if (e.code == store_error::kNotFound) return http::problem(404, "There is no such ticket.");
        if (e.code == store_error::kStale) return closed_refusal(t, who);
        if (e.code == store_error::kConflict) return http::coded_problem(409, "attachment_key_reused", e.message);
        if (e.code == store_error::kFull) return http::coded_problem(422, "attachments_full", e.message);
        spdlog::error("an attachment to ticket {} could not be stored: {}", t.number, e.message);
        return http::problem(503, "The file could not be stored now; send it again with the same key.")
            .header("Retry-After", "2");
    }
    return json_response(stored->created ? 201 : 200, attachment_json(stored->attachment));
}

http::Response get_attachment(const http::Request& req, const Principal& who, Context& ctx) {
    const auto id = parse_decimal(req.params.at("id"));
    const auto a = id ? ctx.store.attachment(*id) : std::nullopt;
    const auto missing = [] { return http::problem(404, "There is no such attachment."); };
    if (!a || (a->internal && !who.is_user())) return missing();
    auto t = ctx.store.ticket(a->ticket_number);
    if (!t) return missing();
    const bool may = who.is_device() ? (!t->device_id.empty() && t->device_id == who.device->id)
                                     : (t->status == TicketStatus::open ? can_see_ticket(*who.user, who.groups, *t)
                                                                        : can_see_history(*who.user, who.groups, *t));
    if (!may) return missing();
    if (a->removed_at)
        return http::coded_problem(410, "attachment_removed",
                                   "This file was removed: the files of closed tickets are kept for " +
                                       std::to_string(retention_days(ctx)) + " days.");
    // Copied from the database to a file, a chunk at a time, then sent from it: never in
    // memory whole. The file's name goes once it is open (Response::delete_file).
    std::string pattern = (ctx.config.spool_dir / "download-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) return http::problem(503, "The file cannot be read now.").header("Retry-After", "2");
    ::close(fd);
    bool written = true;
    {
        std::ofstream out(pattern, std::ios::binary | std::ios::trunc);
        const auto read = ctx.store.read_blob(a->sha256, [&](std::string_view chunk) {
            out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        });
        out.flush();
        written = read && out.good();
    }
    if (!written) {
        std::error_code ignored;
        std::filesystem::remove(pattern, ignored);
        return http::problem(503, "The file cannot be read now.").header("Retry-After", "2");
    }
    http::Response r;
    r.file = pattern;
    r.delete_file = true;
    const bool inline_image = a->image && req.query.count("download") == 0;
    r.content_type = inline_image ? a->type : "application/octet-stream";
    r.header("Content-Disposition", content_disposition(inline_image ? "inline" : "attachment", a->name));
    // X-Content-Type-Options: nosniff comes with every answer (routes.cpp make_handler).
    r.header("Content-Security-Policy", "sandbox; default-src 'none'");
    r.header("Cache-Control", "private, max-age=86400, immutable");
    r.header("ETag", "\"" + a->sha256 + "\"");
    return r;
}

http::Response put_read(const http::Request& req, const Principal& who, Context& ctx) {
    auto found = reachable_ticket(req, who, ctx);
    if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
    const Ticket& t = std::get<Ticket>(found);
    BodyReader body(req, {"message_id"});
    if (body.failure()) return *body.failure();
    const auto id = body.integer("message_id", Need::required);
    if (!body.ok()) return body.problem();
    // A device cannot mark past what it may see: an internal note's id would tell of it.
    if (auto s = ctx.store.mark_read(t.number, reader_of(who), *id); !s) {
        if (s.error().code == store_error::kInvalid)
            return http::problem(400, s.error().message, {{"message_id", "is not a message of this ticket"}},
                                 "urn:helpline:problem:validation");
        return http::problem(503, "The mark could not be stored now; try again.").header("Retry-After", "2");
    }
    return no_content();
}

http::Response get_attachment_setting(const http::Request&, const Principal&, Context& ctx) {
    return json_response(200, {{"retention_days", retention_days(ctx)}});
}

http::Response put_attachment_setting(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"retention_days"});
    if (body.failure()) return *body.failure();
    const auto days = body.integer("retention_days", Need::required);
    if (days && (*days < 1 || *days > 3650)) body.error("retention_days", "must be a whole number of days from 1 to 3650");
    if (!body.ok()) return body.problem();
    if (auto s = ctx.store.set_setting(kRetentionSetting, std::to_string(*days)); !s)
        return http::problem(500, "Could not store the setting; try again.");
    audit(ctx, who.actor(), "settings-changed", {}, {}, {}, {{"attachment_retention_days", *days}});
    return json_response(200, {{"retention_days", *days}});
}

void remove_old_attachments(Context& ctx) {
    // Once an hour is enough for days of retention; a restart runs it at once.
    const Timestamp now = ctx.clock.now();
    if (ctx.attachments_swept_at != 0 && now - ctx.attachments_swept_at < 3600) return;
    ctx.attachments_swept_at = now;
    const auto removed = ctx.store.remove_old_attachments(now - static_cast<Timestamp>(retention_days(ctx)) * 86400, now);
    if (removed && *removed > 0) spdlog::info("removed the files of {} attachments past their retention", *removed);
}

}  // namespace helpline::server::api
