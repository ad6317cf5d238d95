#include "client/cli/cli_app.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "client/cli/commands.h"
#include "client/cli/env_setup.h"
#include "shared/ed25519.h"

namespace helpline::client::cli {
namespace {

constexpr const char* kProgram = "helpline-cli";

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

/// Saved requests first: what the customer asked for before comes before anything new.
/// Results go to stderr so that --json output on stdout stays one document.
void flush_outbox(ClientEnv& env, const ClientLog& log, std::ostream& err) {
    const Outbox outbox = make_outbox(env);
    Submitter submitter(outbox, make_transport(env));
    std::vector<Error> problems;
    const auto results = submitter.flush(&problems);
    for (const auto& p : problems) {
        fmt::print(err, "warning: {}\n", p.message);
        log.note(p.message);
    }
    std::size_t still_waiting = 0;
    for (const auto& [entry, d] : results) {
        for (const auto& f : d.files)
            if (!f.problem.empty())
                fmt::print(err, "warning: '{}' was not attached: {}\n", f.name, f.problem);
        switch (d.state) {
            case Delivery::State::delivered:
                if (entry.is_reply())
                    fmt::print(err, "Your saved reply of {} was added to request {}.\n",
                               entry.created_at, d.number);
                else
                    fmt::print(err, "Your saved request of {} was sent: its number is {}.\n",
                               entry.created_at, d.number);
                log.note(fmt::format("saved {} {} sent: ticket {}",
                                     entry.is_reply() ? "reply" : "request", entry.key, d.number));
                break;
            case Delivery::State::refused:
                fmt::print(err,
                           "Your saved {} of {} was refused by the support server and removed:\n",
                           entry.is_reply() ? "reply" : "request", entry.created_at);
                if (d.problems.empty()) fmt::print(err, "  {}\n", d.detail);
                for (const auto& p : d.problems)
                    fmt::print(err, "  {}: {}\n", option_for_field(p.field), p.message);
                log.note(fmt::format("saved request {} refused (HTTP {}): {}", entry.key,
                                     d.http_status, d.detail));
                break;
            case Delivery::State::pending:
                ++still_waiting;
                log.note(
                    fmt::format("saved request {} not sent yet: {}", entry.key, d.error.message));
                break;
        }
    }
    if (still_waiting > 0 && results.size() == still_waiting)
        log.note("the support server cannot be reached; saved requests stay queued");
}

int status_command(const ClientEnv& env, const EnvState& state, bool json, CliIo io) {
    const Outbox outbox = make_outbox(env);
    const auto queued = outbox.pending().size();
    const Profile& p = env.brand.profile;
    if (json) {
        nlohmann::json doc = {{"profile_id", p.id},
                              {"name", p.name.get("en")},
                              {"revision", p.revision},
                              {"profile_source", std::string(to_string(state.profile.source))},
                              {"server", env.api->endpoint().base_url},
                              {"registered", state.registered},
                              {"queued", queued},
                              {"groups", nlohmann::json::array()}};
        for (const auto& g : p.assistance.groups) doc["groups"].push_back(g.id);
        if (state.connect_error) doc["connect_error"] = state.connect_error->message;
        io.out << doc.dump(2) << '\n';
        return kExitOk;
    }
    fmt::print(io.out, "{} (profile {}, revision {} from the {})\n", p.name.get("en"), p.id,
               p.revision, to_string(state.profile.source));
    fmt::print(io.out, "  Server:   {}\n", env.api->endpoint().base_url);
    fmt::print(
        io.out, "  Device:   {}\n",
        state.registered
            ? "registered"
            : "not registered" + (state.connect_error ? " (" + state.connect_error->message + ")"
                                                      : std::string()));
    fmt::print(io.out, "  Queued:   {} request(s) waiting to be sent\n", queued);
    return kExitOk;
}

}  // namespace

int run_cli(int argc, const char* const* argv, CliIo io) {
    CLI::App app{"helpline-cli: ask your support team for help from a terminal.", kProgram};
    app.require_subcommand(0, 1);
    app.fallthrough();  // --verbose may also come after the command
    app.set_version_flag("--version", HELPLINE_VERSION);
    app.footer(
        "Exit codes: 0 success, 1 refused by the server or another failure, 2 usage error or "
        "invalid "
        "field, 3 not branded, 4 damaged or untrusted stamp, 5 saved and queued (the server cannot "
        "be "
        "reached), 6 connection request declined.\nDocumentation: docs/client.md.");
    bool check_brand = false;
    bool verbose = false;
    app.add_flag("--check-brand", check_brand,
                 "Verify this build's branding stamp, print it and exit");
    app.add_flag("-v,--verbose", verbose,
                 "Also print the client's log lines (client.log) on stderr");

    RequestOptions request;
    auto* request_cmd =
        app.add_subcommand("request", "Ask for assistance: prints your request number");
    request_cmd->add_option("--group", request.group,
                            "Group to ask (the profile's group ids; default: its default)");
    request_cmd->add_option("--email", request.email,
                            "Your email address, where the team answers you");
    request_cmd->add_option("--description", request.description, "What is wrong");
    request_cmd->add_option("--subject", request.subject, "A few words about the problem");
    request_cmd->add_option("--priority", request.priority,
                            "low, medium, high or urgent (if the team lets you choose)");
    request_cmd
        ->add_option("--wait", request.wait_s,
                     "Seconds to keep trying before the request is left queued")
        ->check(CLI::Range(0, 600))
        ->capture_default_str();
    request_cmd->add_option("--attach", request.attach,
                            "Files to send with the request (screenshots, logs); repeat or list "
                            "several");
    request_cmd->add_flag("--json", request.json, "Print the server's answer as JSON");

    RequestsOptions requests;
    auto* requests_cmd = app.add_subcommand(
        "requests", "List your requests with their status; with a number, show its conversation");
    requests_cmd->add_option("number", requests.number, "A request's number: its conversation")
        ->check(CLI::PositiveNumber);
    requests_cmd->add_flag("--json", requests.json, "Machine-readable output");

    ReplyOptions reply;
    auto* reply_cmd = app.add_subcommand("reply", "Answer on one of your requests");
    reply_cmd->add_option("number", reply.number, "The request's number")
        ->required()
        ->check(CLI::PositiveNumber);
    reply_cmd->add_option("-m,--message", reply.message, "Your answer");
    reply_cmd->add_option("--attach", reply.attach, "Files to send with the answer");
    reply_cmd
        ->add_option("--wait", reply.wait_s,
                     "Seconds to keep trying before the reply is left queued")
        ->check(CLI::Range(0, 600))
        ->capture_default_str();
    reply_cmd->add_flag("--json", reply.json, "Print the server's answer as JSON");

    DownloadOptions download;
    auto* download_cmd =
        app.add_subcommand("download", "Save a file of one of your requests' conversations");
    download_cmd
        ->add_option("id", download.id, "The file's id (helpline-cli requests N lists them)")
        ->required()
        ->check(CLI::PositiveNumber);
    download_cmd->add_option("-o,--out", download.out, "Where to save it")->required();

    ListenOptions listen;
    auto* listen_cmd =
        app.add_subcommand("listen", "Wait for an operator's connection request and answer it");
    listen_cmd->add_flag("--json", listen.json, "Machine-readable output");
    listen_cmd->add_flag("--once", listen.once,
                         "Return after the first connection request and its session");

    bool status_json = false;
    auto* status_cmd =
        app.add_subcommand("status", "Show the profile in force, the server and queued requests");
    status_cmd->add_flag("--json", status_json, "Machine-readable output");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e, io.out, io.err) == 0 ? kExitOk : kExitUsage;
    }

    auto brand = load_own_brand();
    if (!brand) {
        io.err << brand_error_advice(brand.error(), kProgram) << '\n';
        return brand_error_exit_code(brand.error());
    }
    if (check_brand) {
        fmt::print(io.out, "{}: branded for {} (profile {}, revision {}), signed by {}\n", kProgram,
                   brand->profile.name.get("en"), brand->profile.id, brand->profile.revision,
                   short_fingerprint(brand->stamp.key));
        return kExitOk;
    }
    if (app.get_subcommands().empty()) {
        io.err << "error: no command given. Commands: request, requests, reply, download, "
                  "listen, status.\n"
                  "Run 'helpline-cli --help' for more.\n";
        return kExitUsage;
    }

    EnvState state;
    auto env = open_client_env(std::move(*brand), HELPLINE_VERSION, state);
    if (!env) {
        io.err << "error: " << env.error().message << '\n';
        return kExitFailed;
    }
    const ClientLog log(env->paths.state / "client.log", verbose ? &io.err : nullptr);
    const bool connected = connect_client_env(*env, state);
    log.notes(state.notes);
    state.notes.clear();
    const bool unreachable =
        !connected && state.connect_error && starts_with(state.connect_error->code, "net.");
    if (!unreachable) flush_outbox(*env, log, io.err);

    if (*request_cmd) return request_command(*env, request, io);
    if (*requests_cmd) return requests_command(*env, requests, io);
    if (*reply_cmd) return reply_command(*env, reply, io);
    if (*download_cmd) return download_command(*env, download, io);
    if (*listen_cmd) return listen_command(*env, listen, io);
    return status_command(*env, state, status_json, io);
}

}  // namespace helpline::client::cli
