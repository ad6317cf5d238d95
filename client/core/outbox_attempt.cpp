// Sending one outbox entry: the rules that decide, from the server's answers, whether the
// entry is delivered, refused (both settle it: recorded, then removed) or kept for
// another attempt. See outbox.h for the rules and docs/client.md for the reasons.

#include <fmt/format.h>

#include "client/core/outbox.h"

namespace helpline::client {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

LoggedRequest log_line(const OutboxEntry& entry, std::string result) {
    LoggedRequest line;
    line.at = format_utc(std::chrono::system_clock::now());
    line.key = entry.key;
    line.result = std::move(result);
    line.request = entry.body;
    if (!entry.attachments.empty()) {
        line.request["attachments"] = nlohmann::json::array();
        for (const auto& a : entry.attachments)
            line.request["attachments"].push_back({{"name", a.name}, {"size", a.size}});
    }
    return line;
}

/// The steps after the ticket (a file, a reply's message) concern a ticket this device
/// was answered for, or the customer named: a 404 there means it is not (or no longer)
/// this device's, which no retry changes — unlike a 404 to the first submission, which
/// a proxy or a server being set up may give.
AnswerKind classify_step(long http_status) {
    return http_status == 404 ? AnswerKind::refused : classify_answer(http_status);
}

/// No answer, or an answer that asks to try again: the entry stays.
Delivery keep(Delivery d, const Result<ApiReply>& reply) {
    d.state = Delivery::State::pending;
    if (!reply) {
        d.error = reply.error();
        d.unreachable = starts_with(d.error.code, "net.");
        return d;
    }
    d.http_status = reply->status;
    if (reply->retry_after_s) d.retry_after = std::chrono::seconds(*reply->retry_after_s);
    d.error = make_error("outbox.retry",
                         fmt::format("The support server answered HTTP {} ({}); it will be sent "
                                     "again.",
                                     reply->status, describe_rejection(*reply)));
    return d;
}

/// The id in a 2xx answer, or 0 when there is none (not the answer of a Helpline server).
std::int64_t answer_id(const ApiReply& reply, const char* name) {
    const auto& j = reply.json;
    if (!j.is_object()) return 0;
    const auto it = j.find(name);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

Delivery bad_answer(Delivery d, long status, const char* what) {
    d.state = Delivery::State::pending;
    d.http_status = status;
    // Sending again with the same key is safe and gets the real answer once the server
    // is the right one.
    d.error =
        make_error("outbox.bad_answer",
                   fmt::format("The support server answered HTTP {} without {}.", status, what));
    return d;
}

}  // namespace

AnswerKind classify_answer(long http_status) {
    if (http_status >= 200 && http_status < 300) return AnswerKind::delivered;
    switch (http_status) {
        case 401:  // the device must register again
        case 403:  // a proxy or a server not yet set up
        case 404:
        case 408:
        case 425:
        case 429:
            return AnswerKind::retry;
        default:
            return http_status >= 400 && http_status < 500 ? AnswerKind::refused
                                                           : AnswerKind::retry;
    }
}

void Outbox::settle(const OutboxEntry& entry, const Delivery& d) const {
    if (entry.is_reply()) {
        // Replies are not requests: requests.log lists what My requests shows.
        (void)remove(entry.key);
        return;
    }
    LoggedRequest line =
        log_line(entry, d.state == Delivery::State::delivered ? "created" : "refused");
    if (d.state == Delivery::State::delivered) {
        line.number = d.number;
        line.created_at = d.created_at;
    } else {
        line.errors = d.problems;
        line.detail = d.detail;
    }
    // Remove only what is recorded: if recording fails, the next attempt gets the same
    // answer (same key) and records it then.
    if (log_.record(line)) (void)remove(entry.key);
}

Delivery Outbox::attempt(const OutboxEntry& entry, const TicketPoster& post,
                         std::chrono::milliseconds timeout) const {
    OutboxTransport transport;
    transport.post_ticket = post;
    return attempt(entry, transport, timeout);
}

Delivery Outbox::attempt(const OutboxEntry& entry, const OutboxTransport& transport,
                         std::chrono::milliseconds timeout) const {
    Delivery d;
    d.key = entry.key;
    const bool can = (entry.attachments.empty() || transport.put_attachment) &&
                     (entry.is_reply() ? static_cast<bool>(transport.post_message)
                                       : static_cast<bool>(transport.post_ticket));
    if (!can) {
        d.error = make_error("outbox.no_transport",
                             "This program cannot send files or replies; it stays saved for one "
                             "that can.");
        return d;
    }
    if (entry.is_reply()) {
        d.number = entry.reply_to;
        return send_files(entry, entry.reply_to, transport, timeout, std::move(d));
    }

    auto reply = transport.post_ticket(entry, timeout);
    if (!reply) return keep(std::move(d), reply);
    d.http_status = reply->status;
    switch (classify_answer(reply->status)) {
        case AnswerKind::delivered: {
            d.number = answer_id(*reply, "number");
            if (d.number <= 0) return bad_answer(std::move(d), reply->status, "a ticket number");
            d.status = reply->json.value("status", "open");
            d.created_at = reply->json.value("created_at", "");
            if (!entry.attachments.empty())
                return send_files(entry, d.number, transport, timeout, std::move(d));
            d.state = Delivery::State::delivered;
            settle(entry, d);
            return d;
        }
        case AnswerKind::refused:
            d.state = Delivery::State::refused;
            d.problems = reply->field_errors;
            d.detail = reply->detail.empty() ? describe_rejection(*reply) : reply->detail;
            settle(entry, d);
            return d;
        case AnswerKind::retry:
            break;
    }
    return keep(std::move(d), reply);
}

Delivery Outbox::send_files(const OutboxEntry& entry, std::int64_t number,
                            const OutboxTransport& transport, std::chrono::milliseconds timeout,
                            Delivery d) const {
    std::vector<std::int64_t> ids;
    std::string closed;  ///< the server's words once it said the ticket is closed
    for (const auto& a : entry.attachments) {
        Delivery::File file{a.name, 0, {}};
        if (!closed.empty()) {
            file.problem = closed;
            d.files.push_back(std::move(file));
            continue;
        }
        const UploadFile upload{a.key, copy_of(entry, a), a.name, a.size, a.type};
        auto reply = transport.put_attachment(number, upload, timeout);
        if (!reply) return keep(std::move(d), reply);
        switch (classify_step(reply->status)) {
            case AnswerKind::delivered:
                file.id = answer_id(*reply, "id");
                if (file.id <= 0) return bad_answer(std::move(d), reply->status, "a file id");
                ids.push_back(file.id);
                break;
            case AnswerKind::refused:
                file.problem = describe_rejection(*reply);
                if (reply->code == "ticket_closed") closed = file.problem;
                break;
            case AnswerKind::retry:
                return keep(std::move(d), reply);
        }
        d.files.push_back(std::move(file));
    }

    if (!entry.is_reply()) {  // the ticket is there; its files went or were refused
        d.state = Delivery::State::delivered;
        settle(entry, d);
        return d;
    }
    if (!closed.empty()) {
        d.state = Delivery::State::refused;
        d.detail = closed;
        settle(entry, d);
        return d;
    }
    auto reply = transport.post_message(entry, ids, timeout);
    if (!reply) return keep(std::move(d), reply);
    d.http_status = reply->status;
    switch (classify_step(reply->status)) {
        case AnswerKind::delivered:
            d.message_id = answer_id(*reply, "id");
            if (d.message_id <= 0) return bad_answer(std::move(d), reply->status, "a message id");
            d.created_at = reply->json.value("created_at", "");
            d.state = Delivery::State::delivered;
            break;
        case AnswerKind::refused:
            d.state = Delivery::State::refused;
            d.problems = reply->field_errors;
            d.detail = reply->detail.empty() ? describe_rejection(*reply) : reply->detail;
            break;
        case AnswerKind::retry:
            return keep(std::move(d), reply);
    }
    settle(entry, d);
    return d;
}

}  // namespace helpline::client
