// helpline-cli request: check the request like the server will (and its --attach files
// against the profile's limits), save it in the outbox, send it, and say what happened —
// the ticket number, the server's reasons per field, or that it is saved and will be sent
// automatically.

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <istream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client/cli/commands.h"
#include "client/cli/env_setup.h"

namespace helpline::client::cli {
namespace {

nlohmann::json problems_json(const std::vector<FieldProblem>& problems) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : problems)
        list.push_back(
            {{"field", p.field}, {"option", option_for_field(p.field)}, {"message", p.message}});
    return list;
}

void print_problems(std::ostream& err, const std::vector<FieldProblem>& problems) {
    for (const auto& p : problems) {
        if (p.field.empty())
            fmt::print(err, "  {}\n", p.message);
        else
            fmt::print(err, "  {}: {}\n", option_for_field(p.field), p.message);
    }
}

/// At a terminal, asks for what is missing instead of failing.
void ask_missing(TicketDraft& draft, const Profile& profile, CliIo io) {
    const auto ask = [&io](const char* prompt, std::string& value) {
        if (!value.empty()) return;
        io.out << prompt << std::flush;
        std::getline(io.in, value);
    };
    ask("Your email address: ", draft.email);
    ask("Describe the problem: ", draft.description);
    const auto& rules = profile.assistance;
    if (draft.group.empty() && !rules.default_group && rules.groups.size() > 1) {
        std::string ids;
        for (const auto& g : rules.groups) ids += (ids.empty() ? "" : ", ") + g.id;
        io.out << fmt::format("Group ({}): ", ids) << std::flush;
        std::getline(io.in, draft.group);
    }
    if (rules.subject == SubjectMode::required) ask("Subject: ", draft.subject);
}

nlohmann::json files_json(const std::vector<Delivery::File>& files) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& f : files) {
        nlohmann::json item = {{"name", f.name}};
        if (f.id > 0) item["id"] = f.id;
        if (!f.problem.empty()) item["problem"] = f.problem;
        list.push_back(std::move(item));
    }
    return list;
}

/// The files the server refused although it took the request (a file over its own limit,
/// the ticket closed meanwhile): the request went, these did not.
void print_refused_files(std::ostream& err, const std::vector<Delivery::File>& files) {
    for (const auto& f : files)
        if (!f.problem.empty())
            fmt::print(err, "warning: '{}' was not attached: {}\n", f.name, f.problem);
}

}  // namespace

int request_command(ClientEnv& env, const RequestOptions& options, CliIo io) {
    TicketDraft draft{options.email, options.description, options.group, options.subject,
                      options.priority};
    if (io.interactive && !options.json) ask_missing(draft, env.brand.profile, io);

    const PreparedTicket ticket = prepare_ticket(draft, env.brand.profile);
    std::vector<AttachmentFile> files;
    nlohmann::json errors = problems_json(ticket.problems);
    std::ostringstream file_problems;
    const bool files_ok = check_attach_option(env, options.attach, files, file_problems,
                                              options.json ? &errors : nullptr);
    if (!ticket.ok() || !files_ok) {
        if (options.json) {
            io.out << nlohmann::json{{"sent", false}, {"errors", errors}}.dump(2) << '\n';
        } else {
            io.err << "error: the request was not sent; please correct:\n";
            print_problems(io.err, ticket.problems);
            io.err << file_problems.str();
        }
        return kExitUsage;
    }

    const Outbox outbox = make_outbox(env);
    Submitter submitter(outbox, make_transport(env));
    auto entry = files.empty() ? submitter.save(ticket.body) : submitter.save(ticket.body, files);
    if (!entry) {
        io.err << "error: " << entry.error().message << '\n';
        return kExitFailed;
    }
    const Delivery d = submitter.send_now(*entry, std::chrono::seconds(options.wait_s));

    switch (d.state) {
        case Delivery::State::delivered:
            if (options.json) {
                nlohmann::json answer = {
                    {"number", d.number}, {"status", d.status}, {"created_at", d.created_at}};
                if (!files.empty()) answer["attachments"] = files_json(d.files);
                io.out << answer.dump(2) << '\n';
            } else {
                fmt::print(io.out, "Your request number is {}\n", d.number);
                print_refused_files(io.err, d.files);
            }
            return kExitOk;
        case Delivery::State::refused:
            if (options.json) {
                io.out << nlohmann::json{{"sent", true},
                                         {"refused", true},
                                         {"status", d.http_status},
                                         {"detail", d.detail},
                                         {"errors", problems_json(d.problems)}}
                              .dump(2)
                       << '\n';
            } else {
                fmt::print(io.err, "error: the support server refused the request (HTTP {}):\n",
                           d.http_status);
                if (d.problems.empty()) fmt::print(io.err, "  {}\n", d.detail);
                print_problems(io.err, d.problems);
            }
            return kExitFailed;
        case Delivery::State::pending:
            break;
    }
    if (options.json) {
        nlohmann::json answer = {
            {"sent", false}, {"queued", true}, {"key", d.key}, {"reason", d.error.message}};
        if (d.number > 0) answer["number"] = d.number;  // the ticket is there, files wait
        io.out << answer.dump(2) << '\n';
    } else if (d.number > 0) {
        fmt::print(io.err, "{}\n", d.error.message);
        fmt::print(io.out,
                   "Your request number is {}\nSaved: its files will be sent automatically when "
                   "the support server can be reached (run helpline-cli again, or keep helpline "
                   "open)\n",
                   d.number);
    } else {
        fmt::print(io.err, "{}\n", d.error.message);
        fmt::print(io.out,
                   "Saved: your request will be sent automatically when the support server can be "
                   "reached (run "
                   "helpline-cli again, or keep helpline open)\n");
    }
    return kExitQueued;
}

}  // namespace helpline::client::cli
