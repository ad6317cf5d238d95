// helpline-cli requests N, reply and download: one ticket's conversation as the server has
// it (plus this computer's replies still waiting in the outbox), a reply with files through
// the outbox, and an attachment saved to a file.

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ctime>
#include <istream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client/cli/commands.h"
#include "client/cli/console.h"
#include "client/cli/env_setup.h"
#include "client/core/conversation.h"
#include "client/core/identity.h"

namespace helpline::client::cli {
namespace {

/// "2026-11-25 03:21 UTC" in the computer's time zone; the wire's text when unreadable.
std::string local_time(const std::string& utc) {
    const auto t = parse_utc(utc);
    if (!t) return utc.empty() ? "?" : utc;
    const std::time_t seconds = std::chrono::system_clock::to_time_t(*t);
    std::tm local{};
    try {
        local = fmt::localtime(seconds);  // localtime_r, or localtime_s on Windows
    } catch (const fmt::format_error&) {
        return utc;
    }
    char text[64];
    if (std::strftime(text, sizeof text, "%Y-%m-%d %H:%M %Z", &local) == 0) return utc;
    return text;
}

/// Each line of `text` indented, so that a message cannot pass for the next header.
void print_body(std::ostream& out, const std::string& text) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) fmt::print(out, "  {}\n", line);
}

void print_attachments(std::ostream& out, const std::vector<Attachment>& files) {
    for (const auto& a : files)
        fmt::print(out, "  Attachment: {}, {}{}, id {}\n", a.name, format_size(a.size),
                   a.removed ? " (removed from the server)" : "", a.id);
}

nlohmann::json attachment_json(const Attachment& a) {
    return {{"id", a.id},
            {"message_id", a.message_id ? nlohmann::json(a.message_id) : nlohmann::json()},
            {"name", a.name},
            {"size", a.size},
            {"type", a.type},
            {"image", a.image},
            {"sha256", a.sha256},
            {"author", a.author},
            {"created_at", a.created_at},
            {"removed", a.removed}};
}

nlohmann::json message_json(const Message& m) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& a : m.attachments) files.push_back(attachment_json(a));
    return {
        {"id", m.id},
        {"author", m.author},
        {"author_name", m.author_name.empty() ? nlohmann::json() : nlohmann::json(m.author_name)},
        {"body", m.body},
        {"created_at", m.created_at},
        {"attachments", files}};
}

nlohmann::json queued_reply_json(const OutboxEntry& e) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& a : e.attachments) files.push_back({{"name", a.name}, {"size", a.size}});
    return {{"key", e.key},
            {"created_at", e.created_at},
            {"body", e.body.value("body", "")},
            {"attachments", files}};
}

/// Registers on demand, as sending does (the start-up may not have reached the server).
Status registered(ClientEnv& env) {
    auto id = ensure_registered(*env.api, env.paths, env.brand.profile, env.client_version);
    if (!id) return id.error();
    return Ok{};
}

void print_conversation(std::ostream& out, const Conversation& c,
                        const std::vector<OutboxEntry>& queued) {
    fmt::print(out, "Request {}: {}\n", c.number, c.status);
    fmt::print(out, "\nYou, {}:\n", local_time(c.created_at));
    print_body(out, c.description);
    print_attachments(out, c.attachments);
    for (const auto& m : c.messages) {
        const std::string who = m.from_team()
                                    ? (m.author_name.empty() ? std::string("The support team")
                                                             : m.author_name + " (support team)")
                                    : std::string("You");
        const bool unread = m.from_team() && m.id > c.read_message_id;
        fmt::print(out, "\n{}, {}{}:\n", who, local_time(m.created_at), unread ? " (new)" : "");
        print_body(out, m.body);
        print_attachments(out, m.attachments);
    }
    for (const auto& e : queued) {
        fmt::print(out, "\nYou, {} (not sent yet):\n", local_time(e.created_at));
        print_body(out, e.body.value("body", ""));
        for (const auto& a : e.attachments)
            fmt::print(out, "  Attachment: {}, {}\n", a.name, format_size(a.size));
    }
    out << '\n';
    if (c.accepts_replies())
        fmt::print(out, "Reply with: helpline-cli reply {} --message TEXT [--attach FILE...]\n",
                   c.number);
    else
        fmt::print(out,
                   "This request is {}; to ask for more help, send a new request: "
                   "helpline-cli request\n",
                   c.status);
}

}  // namespace

int conversation_command(ClientEnv& env, const RequestsOptions& options, CliIo io) {
    std::vector<OutboxEntry> queued;
    for (auto& e : make_outbox(env).pending())
        if (e.reply_to == options.number) queued.push_back(std::move(e));

    Result<Conversation> conversation = make_error("", "");
    if (auto ok = registered(env); !ok)
        conversation = ok.error();
    else
        conversation = fetch_conversation(*env.api, options.number);
    if (!conversation) {
        if (options.json)
            io.out << nlohmann::json{{"error", conversation.error().message},
                                     {"code", conversation.error().code}}
                          .dump(2)
                   << '\n';
        else
            fmt::print(io.err, "error: {}\n", conversation.error().message);
        return kExitFailed;
    }
    const Conversation& c = *conversation;
    if (options.json) {
        nlohmann::json messages = nlohmann::json::array();
        for (const auto& m : c.messages) messages.push_back(message_json(m));
        nlohmann::json files = nlohmann::json::array();
        for (const auto& a : c.attachments) files.push_back(attachment_json(a));
        nlohmann::json waiting = nlohmann::json::array();
        for (const auto& e : queued) waiting.push_back(queued_reply_json(e));
        io.out << nlohmann::json{{"number", c.number},
                                 {"status", c.status},
                                 {"description", c.description},
                                 {"created_at", c.created_at},
                                 {"messages", messages},
                                 {"attachments", files},
                                 {"read_message_id", c.read_message_id},
                                 {"unread", c.unread_count()},
                                 {"replies_reopen", c.replies_reopen},
                                 {"queued", waiting}}
                      .dump(2)
               << '\n';
    } else {
        print_conversation(io.out, c, queued);
    }
    // Shown is read: the team sees that the customer has read their messages.
    if (c.newest_message_id() > c.read_message_id)
        if (auto marked = mark_read(*env.api, c.number, c.newest_message_id()); !marked)
            fmt::print(io.err, "warning: {}\n", marked.error().message);
    return kExitOk;
}

int reply_command(ClientEnv& env, const ReplyOptions& options, CliIo io) {
    std::string text = options.message;
    if (text.empty() && options.attach.empty() && io.interactive && !options.json) {
        io.out << "Your reply: " << std::flush;
        std::getline(io.in, text);
    }
    std::vector<AttachmentFile> files;
    nlohmann::json errors = nlohmann::json::array();
    std::ostringstream file_problems;
    const bool files_ok = check_attach_option(env, options.attach, files, file_problems,
                                              options.json ? &errors : nullptr);
    const std::string text_problem = check_reply_text(text, !options.attach.empty());
    if (!text_problem.empty())
        errors.push_back({{"field", "body"}, {"option", "--message"}, {"message", text_problem}});
    if (!files_ok || !text_problem.empty()) {
        if (options.json) {
            io.out << nlohmann::json{{"sent", false}, {"errors", errors}}.dump(2) << '\n';
        } else {
            io.err << "error: the reply was not sent; please correct:\n";
            if (!text_problem.empty()) fmt::print(io.err, "  --message: {}\n", text_problem);
            io.err << file_problems.str();
        }
        return kExitUsage;
    }

    // Asked first when the server can be reached: a reply to a ticket that is not this
    // computer's, or closed for good, is said at once and never saved.
    if (registered(env)) {
        auto c = fetch_conversation(*env.api, options.number);
        const bool settled_no = !c && (c.error().code == conversation_error::kNotFound);
        const bool closed = c && !c->accepts_replies();
        if (settled_no || closed) {
            const std::string why = settled_no
                                        ? c.error().message
                                        : fmt::format(
                                              "Request {} is {}; to ask for more help, send a new "
                                              "request: helpline-cli request",
                                              options.number, c->status);
            if (options.json)
                io.out << nlohmann::json{{"sent", false}, {"refused", true}, {"detail", why}}.dump(
                              2)
                       << '\n';
            else
                fmt::print(io.err, "error: {}\n", why);
            return kExitFailed;
        }
    }

    const Outbox outbox = make_outbox(env);
    Submitter submitter(outbox, make_transport(env));
    auto entry = submitter.save_reply(options.number, text, files);
    if (!entry) {
        io.err << "error: " << entry.error().message << '\n';
        return kExitFailed;
    }
    const Delivery d = submitter.send_now(*entry, std::chrono::seconds(options.wait_s));
    nlohmann::json files_out = nlohmann::json::array();
    for (const auto& f : d.files) {
        nlohmann::json item = {{"name", f.name}};
        if (f.id > 0) item["id"] = f.id;
        if (!f.problem.empty()) item["problem"] = f.problem;
        files_out.push_back(std::move(item));
    }
    switch (d.state) {
        case Delivery::State::delivered:
            if (options.json) {
                io.out << nlohmann::json{{"number", options.number},
                                         {"message_id", d.message_id},
                                         {"created_at", d.created_at},
                                         {"attachments", files_out}}
                              .dump(2)
                       << '\n';
            } else {
                fmt::print(io.out, "Your reply was added to request {}.\n", options.number);
                for (const auto& f : d.files)
                    if (!f.problem.empty())
                        fmt::print(io.err, "warning: '{}' was not attached: {}\n", f.name,
                                   f.problem);
            }
            return kExitOk;
        case Delivery::State::refused:
            if (options.json) {
                io.out << nlohmann::json{{"sent", true},
                                         {"refused", true},
                                         {"status", d.http_status},
                                         {"detail", d.detail}}
                              .dump(2)
                       << '\n';
            } else {
                fmt::print(io.err, "error: the support server refused the reply: {}\n", d.detail);
            }
            return kExitFailed;
        case Delivery::State::pending:
            break;
    }
    if (options.json) {
        io.out << nlohmann::json{{"sent", false},
                                 {"queued", true},
                                 {"key", d.key},
                                 {"reason", d.error.message}}
                      .dump(2)
               << '\n';
    } else {
        fmt::print(io.err, "{}\n", d.error.message);
        fmt::print(io.out,
                   "Saved: your reply will be sent automatically when the support server can be "
                   "reached (run helpline-cli again, or keep helpline open)\n");
    }
    return kExitQueued;
}

int download_command(ClientEnv& env, const DownloadOptions& options, CliIo io) {
    Result<std::uint64_t> saved = make_error("", "");
    if (auto ok = registered(env); !ok)
        saved = ok.error();
    else
        saved = download_attachment(*env.api, options.id, path_argument(options.out));
    if (!saved) {
        fmt::print(io.err, "error: {}\n", saved.error().message);
        return kExitFailed;
    }
    fmt::print(io.out, "Saved {} ({}).\n", options.out, format_size(*saved));
    return kExitOk;
}

}  // namespace helpline::client::cli
