#include "server/app/server_cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <ctime>
#include <string>

#include "server/app/admin_commands.h"
#include "server/app/backup_commands.h"
#include "server/app/data_owner.h"
#include "server/app/run_command.h"
#include "server/store/pg_db.h"

namespace helpline::server {
namespace {

/// Read when it exists (a packaged server's configuration); --config names another.
constexpr const char* kDefaultConfigFile = "/etc/helpline/server.conf";

/// Checks an integer option before it is used: a whole number from `min` to `max`, the
/// message saying what it means (a TTL of 0 would expire every ticket at once).
CLI::Validator whole_number(long long min, long long max, const std::string& meaning) {
    const std::string range = std::to_string(min) + " to " + std::to_string(max);
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            long long value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
                return "'" + text + "' is not a whole number from " + range + " (" + meaning + ")";
            return {};
        },
        "INT in " + range);
}

/// The arguments after the program's name as a shell would need them typed again.
std::string shell_words(int argc, const char* const* argv) {
    std::string line;
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (!line.empty()) line += ' ';
        if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                    "0123456789_@%+=:,./-") == std::string::npos) {
            line += word;
            continue;
        }
        line += '\'';
        for (const char c : word) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
        line += '\'';
    }
    return line;
}

}  // namespace

int run_server_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CLI::App app{"helpline-server: the Helpline team server (assistance queue, events, relay).", "helpline-server"};
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", HELPLINE_VERSION);
    app.footer("Exit codes: 0 success, 1 failure, 2 usage error. Documentation: docs/operations.md.");
    // Options may also come from a configuration file (INI: `data = …` at the top, the
    // options of `run` in a [run] section, each named as its long option without the
    // dashes); the command line wins. A packaged server reads /etc/helpline/server.conf.
    app.config_formatter(std::make_shared<CLI::ConfigINI>());
    app.set_config("--config", kDefaultConfigFile,
                   "Read options from this file; the command line wins (INI, see docs/operations.md)");
    app.allow_config_extras(false);  // a misspelt setting is an error, not silently ignored
    // --data belongs to every command; given after the command's name it falls through.
    app.fallthrough();
    std::filesystem::path data;
    app.add_option("--data", data, "Data folder (database, TLS material)");
    std::string database;
    app.add_option("--database", database,
                   "A PostgreSQL database instead of the data folder's SQLite file: postgresql://USER@HOST/DB "
                   "(docs/operations.md)");
    std::vector<CLI::App*> needs_data;
    const auto data_option = [&](CLI::App* cmd) { needs_data.push_back(cmd); };

    std::string admin_email, admin_name;
    auto* init = app.add_subcommand("init", "Create the team: database and first admin (prints a one-time password)");
    data_option(init);
    init->add_option("--admin-email", admin_email, "The first admin's email")->required();
    init->add_option("--admin-name", admin_name, "The first admin's name");

    RunCommandOptions run_opts;
    auto* run = app.add_subcommand("run", "Serve the API and the operator console");
    data_option(run);
    run->add_option("--listen", run_opts.listen, "ADDRESS:PORT (plain HTTP only on loopback)")->capture_default_str();
    run->add_option("--tls-cert", run_opts.tls_cert, "PEM certificate chain");
    run->add_option("--tls-key", run_opts.tls_key, "PEM private key");
    run->add_flag("--self-signed", run_opts.self_signed, "Serve TLS with a self-signed certificate kept in the data folder");
    run->add_flag("--trust-forwarded-for", run_opts.trust_forwarded_for,
                  "Behind a TLS proxy on this host: key rate limits and audit on the last "
                  "X-Forwarded-For address of requests from loopback");
    run->add_option("--trusted-proxy", run_opts.trusted_proxies,
                    "A proxy on another machine (its IP address; repeat for several) whose X-Forwarded-For is "
                    "believed, as --trust-forwarded-for believes one on this host");
    run->add_option("--port-file", run_opts.port_file, "Write the bound port here once listening");
    run->add_option("--node-url", run_opts.node_url,
                    "With several servers on one database: the URL the others reach this one at directly "
                    "(default: http://LISTEN-ADDRESS:PORT)");
    run->add_option("--ticket-ttl", run_opts.ticket_ttl_s, "Seconds before unclosed tickets expire")
        ->check(whole_number(1, 10LL * 365 * 24 * 3600,
                             "seconds after which unclosed tickets expire; a day is 86400"))
        ->capture_default_str();
    run->add_flag("--reopen-on-reply", run_opts.reopen_on_reply,
                  "A customer's reply to a closed or expired ticket reopens it (default: refused, with a message "
                  "to send a new request)");
    run->add_option("--attachment-max-mib", run_opts.attachment_max_mib, "The largest attachment, in MiB")
        ->check(whole_number(1, 1024, "MiB for the largest attachment a customer or operator may upload"))
        ->capture_default_str();
    run->add_option("--request-timeout", run_opts.request_timeout_s,
                    "Seconds a connection request waits for the customer (unless the profile says)")
        ->check(whole_number(1, 600, "seconds a connection request waits for the customer"))
        ->capture_default_str();
    run->add_option("--sse-heartbeat-ms", run_opts.sse_heartbeat_ms, "Event stream heartbeat")
        ->check(whole_number(100, 600'000, "milliseconds between pings on an idle event stream"))
        ->capture_default_str();
    run->add_option("--sweep-interval-ms", run_opts.sweep_interval_ms, "Expiry check interval")
        ->check(whole_number(10, 3'600'000, "milliseconds between expiry checks"))
        ->capture_default_str();
    run->add_option("--login-limit", run_opts.login_limit, "Sign-in attempts per minute per address and email")
        ->check(whole_number(1, 1'000'000'000, "sign-in attempts per minute"))
        ->capture_default_str();
    run->add_option("--submit-limit", run_opts.submit_limit, "Submissions per minute per device")
        ->check(whole_number(1, 1'000'000'000, "new tickets per minute per device"))
        ->capture_default_str();
    run->add_option("--register-limit", run_opts.register_limit, "Device registrations per minute per address")
        ->check(whole_number(1, 1'000'000'000, "device registrations per minute"))
        ->capture_default_str();
    run->add_option("--relay-pair-timeout", run_opts.relay_pair_timeout_s,
                    "Seconds one side of a relayed session waits for the other")
        ->check(CLI::Range(1, 24 * 3600))
        ->capture_default_str();
    run->add_option("--relay-idle-timeout", run_opts.relay_idle_timeout_s,
                    "Seconds without a byte either way before a relayed session ends (0: never)")
        ->check(CLI::Range(0, 7 * 24 * 3600))
        ->capture_default_str();
    run->add_option("--console-dir", run_opts.console_dir,
                    "The operator console's files [default: BIN/../share/helpline/console, else "
                    "the source tree's]");
    run->add_option("--novnc-dir", run_opts.novnc_dir,
                    "noVNC for the console's viewer (core/ and vendor/)")
        ->capture_default_str();
    run->add_option("--chartjs-dir", run_opts.chartjs_dir,
                    "Chart.js for the console's dashboard (chart.mjs and chunks/)")
        ->capture_default_str();
    run->add_option("--qrcode-dir", run_opts.qrcode_dir,
                    "qrcode-generator for the console's two-factor setup (qrcode.js)")
        ->capture_default_str();
    run->add_option("--smtp-url", run_opts.mail.smtp_url,
                    "Send email (notifications, invitations) through this relay: smtp://HOST:PORT "
                    "(STARTTLS; on loopback when offered) or smtps://HOST:PORT");
    run->add_option("--smtp-from", run_opts.mail.smtp_from, "The address email is sent from");
    run->add_option("--smtp-credentials", run_opts.mail.smtp_credentials,
                    "File with `user = NAME` and `password = SECRET` lines for the relay (mode 0600)");
    run->add_option("--smtp-ca", run_opts.mail.smtp_ca,
                    "PEM file of the CA certificates that verify the relay, instead of the system's");
    run->add_option("--public-url", run_opts.mail.public_url,
                    "The address operators open the console at, for links in email (https://…)");

    auto* user = app.add_subcommand("user", "Manage operators and admins")->require_subcommand(1);
    std::string email, name, role = "operator";
    bool password_stdin = false, json = false;
    auto* user_add = user->add_subcommand("add", "Add a user (prints a generated password)");
    data_option(user_add);
    user_add->add_option("--email", email)->required();
    user_add->add_option("--name", name)->required();
    user_add->add_option("--role", role, "admin or operator")->capture_default_str();
    user_add->add_flag("--password-stdin", password_stdin, "Read the password from standard input");
    auto* user_list = user->add_subcommand("list", "List users");
    data_option(user_list);
    user_list->add_flag("--json", json);
    auto* user_disable = user->add_subcommand("disable", "Disable a user and end their sessions");
    data_option(user_disable);
    user_disable->add_option("--email", email)->required();
    auto* user_enable = user->add_subcommand("enable", "Enable a disabled user");
    data_option(user_enable);
    user_enable->add_option("--email", email)->required();
    auto* user_reset_password =
        user->add_subcommand("reset-password", "Give a user a new one-time password (prints it) and end their sessions");
    data_option(user_reset_password);
    user_reset_password->add_option("--email", email)->required();
    auto* user_disable_2fa = user->add_subcommand("disable-2fa", "Turn a user's two-factor sign-in off (a lost phone)");
    data_option(user_disable_2fa);
    user_disable_2fa->add_option("--email", email)->required();

    auto* group = app.add_subcommand("group", "Manage groups")->require_subcommand(1);
    std::string group_id, group_name;
    std::vector<std::string> members;
    auto* group_add = group->add_subcommand("add", "Add a group");
    data_option(group_add);
    group_add->add_option("id", group_id, "Group id, e.g. first-line")->required();
    group_add->add_option("name", group_name, "Display name")->required();
    auto* group_rename = group->add_subcommand("rename", "Rename a group");
    data_option(group_rename);
    group_rename->add_option("id", group_id)->required();
    group_rename->add_option("name", group_name)->required();
    auto* group_delete = group->add_subcommand("delete", "Delete a group (open tickets become unassigned)");
    data_option(group_delete);
    group_delete->add_option("id", group_id)->required();
    auto* group_members = group->add_subcommand("members", "Show, or with --set replace, a group's members");
    data_option(group_members);
    group_members->add_option("id", group_id)->required();
    auto* set_option = group_members->add_option("--set", members, "Member emails (comma-separated)")->delimiter(',');

    auto* org = app.add_subcommand("org", "Map email domains to organization names")->require_subcommand(1);
    std::string domain, org_name;
    auto* org_add = org->add_subcommand("add", "Add an organization");
    data_option(org_add);
    org_add->add_option("domain", domain)->required();
    org_add->add_option("name", org_name)->required();
    auto* org_remove = org->add_subcommand("remove", "Remove an organization");
    data_option(org_remove);
    org_remove->add_option("domain", domain)->required();

    auto* profile = app.add_subcommand("profile", "Publish profile updates")->require_subcommand(1);
    std::filesystem::path envelope;
    auto* publish = profile->add_subcommand("publish", "Publish a signed envelope from 'helpline-brand sign-profile'");
    data_option(publish);
    publish->add_option("file", envelope)->required();

    std::string migrate_from, migrate_to;
    auto* migrate = app.add_subcommand(
        "migrate", "Copy a team from SQLite into an empty PostgreSQL database, verifying every table's count");
    migrate->add_option("--from", migrate_from, "The SQLite database: sqlite:DATA/helpline.db")->required();
    migrate->add_option("--to", migrate_to, "The PostgreSQL database: postgresql://USER@HOST/DATABASE")->required();

    std::filesystem::path backup_out, restore_from;
    auto* backup = app.add_subcommand(
        "backup", "Copy the team's SQLite database and TLS material into one file, also while the server runs");
    data_option(backup);
    backup->add_option("--out", backup_out, "The backup file to write (replaced whole, never half-written)")
        ->required();
    auto* restore = app.add_subcommand(
        "restore", "Put a backup in place in the data folder (the server stopped); the replaced data is kept aside");
    data_option(restore);
    restore->add_option("--from", restore_from, "The backup file, from helpline-server backup")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ConfigError& e) {
        const auto* config = app.get_config_ptr();
        err << "error: the configuration file " << (config != nullptr ? config->as<std::string>() : std::string())
            << " has a setting this server does not know (" << e.what()
            << "). Settings are the long options without their dashes: `data = …` at the top, the "
               "options of `run` under [run] (see docs/operations.md).\n";
        return 2;
    } catch (const CLI::ParseError& e) {
        return app.exit(e, out, err) == 0 ? 0 : 2;
    }
    const TeamData team{data, database};
    if (!database.empty() && !team.on_postgres()) {
        err << "error: --database takes a PostgreSQL URL, postgresql://USER@HOST:PORT/DATABASE (got '"
            << PgDb::without_password(database)
            << "'). Without it the team's database is the SQLite file in the data folder (--data).\n";
        return 2;
    }
    for (const CLI::App* cmd : needs_data) {
        if (!*cmd) continue;
        if (data.empty() && !team.on_postgres()) {
            std::string command = cmd->get_name();
            if (cmd->get_parent() != nullptr && cmd->get_parent() != &app)
                command = cmd->get_parent()->get_name() + " " + command;
            err << "error: " << command
                << " needs the data folder: --data DIR, or `data = DIR` in the configuration file (or a "
                   "PostgreSQL database: --database postgresql://...).\n";
            return 2;
        }
        // Root on the service user's data would leave root's files behind (data_owner.h).
        if (data.empty()) continue;
        if (const auto owner = foreign_data_owner(data, ::geteuid())) {
            err << "error: " << foreign_data_refusal(data, *owner, shell_words(argc, argv)) << "\n";
            return 1;
        }
    }
    const CliIo io{out, err};
    if (*init) return init_command(team, admin_email, admin_name, io);
    if (*run) {
        run_opts.data = data;
        run_opts.database = database;
        return run_command(run_opts, io);
    }
    if (*user_add) return user_add_command(team, email, name, role, password_stdin, io);
    if (*user_list) return user_list_command(team, json, io);
    if (*user_disable) return user_disable_command(team, email, false, io);
    if (*user_enable) return user_disable_command(team, email, true, io);
    if (*user_reset_password) return user_reset_password_command(team, email, io);
    if (*user_disable_2fa) return user_disable_two_factor_command(team, email, io);
    if (*group_add) return group_add_command(team, group_id, group_name, io);
    if (*group_rename) return group_rename_command(team, group_id, group_name, io);
    if (*group_delete) return group_delete_command(team, group_id, io);
    if (*group_members)
        return group_members_command(team, group_id,
                                     set_option->count() > 0 ? std::optional(members) : std::nullopt, io);
    if (*org_add) return org_add_command(team, domain, org_name, io);
    if (*org_remove) return org_remove_command(team, domain, io);
    if (*publish) return profile_publish_command(team, envelope, io);
    if (*migrate) return migrate_command(migrate_from, migrate_to, io);
    if (*backup) return backup_command(team, backup_out, std::time(nullptr), io);
    if (*restore) return restore_command(team, restore_from, std::time(nullptr), io);
    err << "error: no command given. Commands: init, run, user, group, org, profile, migrate, backup, restore.\n"
           "Run 'helpline-server --help' for more.\n";
    return 2;
}

}  // namespace helpline::server
