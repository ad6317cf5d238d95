// helpline-cli requests: the customer's requests as the server knows them (status,
// operator, waiting time), plus those still waiting in the outbox. Without the server, what
// this computer sent (requests.log) as last known.

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <map>
#include <nlohmann/json.hpp>

#include "client/cli/commands.h"
#include "client/cli/env_setup.h"
#include "client/core/identity.h"
#include "client/core/my_requests.h"

namespace helpline::client::cli {
namespace {

struct Row {
    std::string number, status, operator_name, waiting, group, subject;
};

std::string one_line(std::string text, std::size_t max) {
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (text.size() > max) text = text.substr(0, max - 3) + "...";
    return text;
}

void print_table(std::ostream& out, const std::vector<Row>& rows) {
    const Row header{"Number", "Status", "Operator", "Waiting", "Group", "Subject"};
    std::size_t w[5] = {};
    const auto widen = [&w](const Row& r) {
        const std::string* cells[5] = {&r.number, &r.status, &r.operator_name, &r.waiting,
                                       &r.group};
        for (std::size_t i = 0; i < 5; ++i) w[i] = std::max(w[i], cells[i]->size());
    };
    widen(header);
    for (const auto& r : rows) widen(r);
    const auto line = [&](const Row& r) {
        fmt::print(out, "{:<{}}  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", r.number, w[0], r.status,
                   w[1], r.operator_name, w[2], r.waiting, w[3], r.group, w[4], r.subject);
    };
    line(header);
    for (const auto& r : rows) line(r);
}

nlohmann::json queued_json(const std::vector<OutboxEntry>& queued) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : queued) {
        nlohmann::json item = {{"key", e.key}, {"created_at", e.created_at}, {"request", e.body}};
        if (e.is_reply()) item["reply_to"] = e.reply_to;
        if (!e.attachments.empty()) {
            item["attachments"] = nlohmann::json::array();
            for (const auto& a : e.attachments)
                item["attachments"].push_back({{"name", a.name}, {"size", a.size}});
        }
        list.push_back(std::move(item));
    }
    return list;
}

std::vector<Row> queued_rows(const std::vector<OutboxEntry>& queued) {
    std::vector<Row> rows;
    for (const auto& e : queued) {
        if (e.is_reply())
            rows.push_back({std::to_string(e.reply_to), "reply not sent yet", "-", "-", "-",
                            one_line(e.body.value("body", ""), 40)});
        else
            rows.push_back(
                {"-", "not sent yet", "-", "-", e.body.value("group_id", "-"),
                 one_line(e.body.value("subject", e.body.value("description", "")), 40)});
    }
    return rows;
}

/// The server cannot be reached: what requests.log knows.
int show_local(const ClientEnv& env, const std::vector<OutboxEntry>& queued, const Error& why,
               bool json, CliIo io) {
    const auto logged = request_log(env).read();
    if (json) {
        nlohmann::json sent = nlohmann::json::array();
        for (const auto& l : logged) sent.push_back(l.to_json());
        io.out << nlohmann::json{{"offline", true},
                                 {"reason", why.message},
                                 {"sent", sent},
                                 {"queued", queued_json(queued)}}
                      .dump(2)
               << '\n';
        return kExitFailed;
    }
    fmt::print(io.err, "{}\nShowing what this computer sent; the status may have changed since.\n",
               why.message);
    std::vector<Row> rows = queued_rows(queued);
    for (auto it = logged.rbegin(); it != logged.rend(); ++it) {
        const auto& l = *it;
        const std::string subject =
            one_line(l.request.value("subject", l.request.value("description", "")), 40);
        if (l.result == "created")
            rows.push_back({std::to_string(l.number), "sent " + l.created_at, "?", "?",
                            l.request.value("group_id", "-"), subject});
        else
            rows.push_back({"-", "refused", "-", "-", l.request.value("group_id", "-"), subject});
    }
    if (rows.empty())
        fmt::print(io.out, "No requests sent from this computer.\n");
    else
        print_table(io.out, rows);
    return kExitFailed;
}

}  // namespace

int requests_command(ClientEnv& env, const RequestsOptions& options, CliIo io) {
    if (options.number > 0) return conversation_command(env, options, io);
    const auto queued = make_outbox(env).pending();
    MyRequests mine;
    // Registers on demand, as sending does (the start-up may not have reached the server).
    Status loaded = Ok{};
    if (auto id = ensure_registered(*env.api, env.paths, env.brand.profile, env.client_version); id)
        loaded = mine.refresh(*env.api, 100);
    else
        loaded = id.error();
    if (!loaded) return show_local(env, queued, loaded.error(), options.json, io);

    const auto now = std::chrono::system_clock::now();
    const auto tickets = mine.snapshot();
    if (options.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& t : tickets) {
            const auto waited = waiting_time(t, now);
            list.push_back(
                {{"number", t.number},
                 {"status", t.status},
                 {"priority", t.priority},
                 {"group", t.group.empty() ? nlohmann::json() : nlohmann::json(t.group)},
                 {"operator_name",
                  t.operator_name.empty() ? nlohmann::json() : nlohmann::json(t.operator_name)},
                 {"subject", t.subject},
                 {"created_at", t.created_at},
                 {"closed_at",
                  t.closed_at.empty() ? nlohmann::json() : nlohmann::json(t.closed_at)},
                 {"unread", t.unread},
                 {"waiting_s", waited ? nlohmann::json(waited->count()) : nlohmann::json()}});
        }
        io.out << nlohmann::json{{"tickets", list}, {"queued", queued_json(queued)}}.dump(2)
               << '\n';
        return kExitOk;
    }
    // Without a subject, the start of the description this computer sent says what it was about.
    std::map<std::int64_t, std::string> described;
    for (const auto& l : request_log(env).read())
        if (l.result == "created") described[l.number] = l.request.value("description", "");
    std::vector<Row> rows = queued_rows(queued);
    for (const auto& t : tickets) {
        const auto waited = waiting_time(t, now);
        const std::string about =
            !t.subject.empty() || !described.count(t.number) ? t.subject : described[t.number];
        rows.push_back({std::to_string(t.number),
                        t.unread > 0 ? fmt::format("{} ({} new)", t.status, t.unread) : t.status,
                        t.operator_name.empty() ? "-" : t.operator_name,
                        waited ? format_duration(*waited) : "?", t.group.empty() ? "-" : t.group,
                        one_line(about, 40)});
    }
    if (rows.empty()) {
        fmt::print(io.out, "You have no requests yet. Ask for help with: helpline-cli request\n");
        return kExitOk;
    }
    print_table(io.out, rows);
    return kExitOk;
}

}  // namespace helpline::client::cli
