#include "server/app/admin_commands.h"

#include <fmt/ostream.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "server/api/body_reader.h"
#include "server/api/clock.h"
#include "server/api/handlers.h"
#include "server/api/password_rules.h"
#include "server/api/secrets.h"
#include "server/api/services.h"
#include "server/app/server_app.h"
#include "server/app/data_owner.h"
#include "server/store/copy_database.h"
#include "server/store/pg_db.h"
#include "server/store/sqlite_db.h"
#include "shared/atomic_file.h"

namespace helpline::server {
namespace {

namespace fs = std::filesystem;

/// A store plus a context for commands (no HTTP, no live streams).
struct Offline {
    std::unique_ptr<Store> store;
    SystemClock clock;
    EventHub hub;
    Config config;
    RateLimiter limiter{clock};
    Metrics metrics;
    std::unique_ptr<Context> ctx;
};

std::unique_ptr<Offline> open_offline(const TeamData& data, CliIo io) {
    if (!data.may_exist()) {
        fmt::print(io.err, "error: there is no Helpline data in '{}'. Create it with: helpline-server init {} "
                           "--admin-email YOU@EXAMPLE\n", data.shown(), data.as_options());
        return nullptr;
    }
    auto store = open_store(data.store_location());
    if (!store) {
        fmt::print(io.err, "error: {}\n", store.error().message);
        return nullptr;
    }
    auto o = std::make_unique<Offline>();
    o->store = std::move(*store);
    o->ctx = std::make_unique<Context>(Context{*o->store, o->clock, o->hub, o->config, o->limiter, o->metrics});
    return o;
}

int fail(CliIo io, const std::string& message) {
    fmt::print(io.err, "error: {}\n", message);
    return 1;
}

}  // namespace

int init_command(const TeamData& data, const std::string& admin_email, const std::string& admin_name, CliIo io) {
    if (!api::is_valid_email(admin_email)) return fail(io, "'" + admin_email + "' is not a valid email address.");
    if (!data.folder.empty()) {
        std::error_code ec;
        fs::create_directories(data.folder, ec);
        if (ec) return fail(io, "could not create '" + data.folder.string() + "': " + ec.message());
        ::chmod(data.folder.c_str(), 0700);  // the database holds password hashes and tokens
    }
    auto store = open_store(data.store_location());
    if (!store) return fail(io, store.error().message);
    if (!(*store)->users().empty())
        return fail(io, "'" + data.shown() + "' already holds an initialised team; nothing was changed.");
    const std::string password = generate_password();
    User admin;
    admin.email = admin_email;
    admin.name = admin_name.empty() ? admin_email.substr(0, admin_email.find('@')) : admin_name;
    admin.role = Role::admin;
    admin.password_hash = hash_password(password);
    admin.created_at = SystemClock().now();
    auto added = (*store)->add_user(admin);
    if (!added) return fail(io, added.error().message);
    fmt::print(io.out,
               "Initialised a Helpline team in {}\n"
               "Admin:             {}\n"
               "One-time password: {}\n"
               "It is shown only now: sign in and change it. Start the server with:\n"
               "  helpline-server run {} --listen 127.0.0.1:8080\n",
               data.shown(), admin_email, password, data.as_options());
    return 0;
}

int user_add_command(const TeamData& data, const std::string& email, const std::string& name, const std::string& role,
                     bool password_stdin, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    if (!api::is_valid_email(email)) return fail(io, "'" + email + "' is not a valid email address.");
    const auto r = parse_role(role);
    if (!r) return fail(io, "--role must be admin or operator.");
    std::string password;
    if (password_stdin) {
        std::getline(std::cin, password);
        if (auto problem = password_problem(password)) return fail(io, "the password " + *problem + ".");
    } else {
        password = generate_password();
    }
    User u;
    u.email = email;
    u.name = name;
    u.role = *r;
    u.password_hash = hash_password(password);
    u.created_at = o->clock.now();
    auto added = o->store->add_user(u);
    if (!added) return fail(io, added.error().message);
    api::audit(*o->ctx, "cli", "user-created", {}, {}, {}, {{"user_id", added->id}});
    fmt::print(io.out, "Added {} {} <{}> with id {}.\n", role, name, email, added->id);
    if (!password_stdin) fmt::print(io.out, "Password (shown once): {}\n", password);
    return 0;
}

int user_list_command(const TeamData& data, bool json, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const User& u : o->store->users()) {
        const auto groups = o->store->groups_of(u.id);
        if (json) {
            list.push_back({{"id", u.id}, {"email", u.email}, {"name", u.name}, {"role", to_string(u.role)},
                            {"disabled", u.disabled}, {"groups", groups}});
            continue;
        }
        std::string g;
        for (const auto& id : groups) g += (g.empty() ? "" : ",") + id;
        fmt::print(io.out, "{:>4}  {:<8} {:<30} {:<24} {}{}\n", u.id, to_string(u.role), u.email, u.name,
                   g.empty() ? "-" : g, u.disabled ? "  (disabled)" : "");
    }
    if (json) io.out << list.dump(2) << '\n';
    return 0;
}

int user_disable_command(const TeamData& data, const std::string& email, bool enable, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    auto u = o->store->user_by_email(email);
    if (!u) return fail(io, "there is no user with the email " + email + ".");
    u->disabled = !enable;
    if (auto s = o->store->update_user(*u); !s) return fail(io, s.error().message);
    if (!enable) (void)o->store->delete_user_sessions(u->id);
    api::audit(*o->ctx, "cli", enable ? "user-enabled" : "user-disabled", {}, {}, {}, {{"user_id", u->id}});
    fmt::print(io.out, "{} {}.\n", enable ? "Enabled" : "Disabled (and signed out)", email);
    return 0;
}

int user_reset_password_command(const TeamData& data, const std::string& email, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    auto u = o->store->user_by_email(email);
    if (!u) return fail(io, "there is no user with the email " + email + ".");
    const std::string password = generate_password();
    u->password_hash = hash_password(password);
    if (auto s = o->store->update_user(*u); !s) return fail(io, s.error().message);
    (void)o->store->delete_user_sessions(u->id);
    api::audit(*o->ctx, "cli", "password-reset", {}, {}, {}, {{"user_id", u->id}});
    fmt::print(io.out,
               "Reset the password of {} and ended their sessions.\n"
               "One-time password: {}\n"
               "It is shown only now: give it to them, and ask them to change it on their account page.\n",
               u->email, password);
    if (u->disabled) fmt::print(io.out, "Note: {} is disabled; enable them with: helpline-server user enable --email {}\n",
                                u->email, u->email);
    return 0;
}

int user_disable_two_factor_command(const TeamData& data, const std::string& email, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    auto u = o->store->user_by_email(email);
    if (!u) return fail(io, "there is no user with the email " + email + ".");
    if (!u->two_factor) {
        fmt::print(io.out, "{} has no two-factor sign-in; nothing was changed.\n", u->email);
        return 0;
    }
    if (auto s = o->store->disable_two_factor(u->id); !s) return fail(io, s.error().message);
    api::audit(*o->ctx, "cli", "two-factor-disabled", {}, {}, {}, {{"user_id", u->id}});
    fmt::print(io.out, "Turned two-factor sign-in off for {}: they sign in with their password alone now.\n",
               u->email);
    if (o->store->setting("two_factor_required").value_or("") == "true")
        fmt::print(io.out, "The team requires two-factor sign-in: they will be asked to set it up again when "
                           "they sign in.\n");
    return 0;
}

int group_add_command(const TeamData& data, const std::string& id, const std::string& name, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    if (id.size() < 2 || id.size() > 40 || id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
        return fail(io, "the group id must be 2 to 40 lowercase letters, digits and '-', e.g. first-line.");
    if (auto s = o->store->add_group({id, name}); !s) return fail(io, s.error().message);
    api::audit(*o->ctx, "cli", "group-created", {}, {}, {}, {{"group_id", id}});
    fmt::print(io.out, "Added group {} ({}).\n", id, name);
    return 0;
}

int group_rename_command(const TeamData& data, const std::string& id, const std::string& name, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    if (auto s = o->store->rename_group(id, name); !s) return fail(io, s.error().message);
    api::audit(*o->ctx, "cli", "group-renamed", {}, {}, {}, {{"group_id", id}});
    fmt::print(io.out, "Renamed group {} to {}.\n", id, name);
    return 0;
}

int group_delete_command(const TeamData& data, const std::string& id, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    if (!o->store->group(id)) return fail(io, "there is no group \"" + id + "\".");
    if (auto refused = api::group_deletion_refused(*o->ctx, id)) return fail(io, *refused);
    auto done = o->store->delete_group(id);
    if (!done) return fail(io, done.error().message);
    api::audit(*o->ctx, "cli", "group-deleted", {}, {},
               {}, {{"group_id", id}, {"unassigned", done->unassigned}, {"deleted_history", done->deleted_history}});
    fmt::print(io.out,
               "Deleted group {}: its open tickets are now unassigned ({}), its closed and expired tickets "
               "were removed from history ({}).\n",
               id, done->unassigned, done->deleted_history);
    return 0;
}

int group_members_command(const TeamData& data, const std::string& id,
                          const std::optional<std::vector<std::string>>& set_emails, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    if (!o->store->group(id)) return fail(io, "there is no group \"" + id + "\".");
    if (set_emails) {
        std::vector<UserId> ids;
        for (const auto& email : *set_emails) {
            // `--set ""` empties the group: CLI11 hands over one empty item for it.
            if (email.empty()) continue;
            auto u = o->store->user_by_email(email);
            if (!u) return fail(io, "there is no user with the email " + email + "; nothing was changed.");
            ids.push_back(u->id);
        }
        if (auto s = o->store->set_group_members(id, ids); !s) return fail(io, s.error().message);
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        api::audit(*o->ctx, "cli", "group-members-set", {}, {}, {}, {{"group_id", id}, {"user_ids", ids}});
    }
    for (UserId uid : o->store->group_members(id))
        if (auto u = o->store->user(uid)) fmt::print(io.out, "{}  {}\n", u->email, u->name);
    return 0;
}

int org_add_command(const TeamData& data, const std::string& domain, const std::string& name, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    if (!api::is_valid_email("x@" + domain)) return fail(io, "'" + domain + "' is not an email domain.");
    const std::string d = api::email_domain("x@" + domain);
    if (auto s = o->store->add_organization({d, name}); !s) return fail(io, s.error().message);
    api::audit(*o->ctx, "cli", "organization-created", {}, {}, {}, {{"domain", d}});
    fmt::print(io.out, "Requesters @{} now show as {}.\n", domain, name);
    return 0;
}

int org_remove_command(const TeamData& data, const std::string& domain, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    const std::string d = api::email_domain("x@" + domain);
    if (auto s = o->store->remove_organization(d); !s) return fail(io, s.error().message);
    api::audit(*o->ctx, "cli", "organization-removed", {}, {}, {}, {{"domain", d}});
    fmt::print(io.out, "Removed organization {}.\n", domain);
    return 0;
}

int profile_publish_command(const TeamData& data, const fs::path& file, CliIo io) {
    auto o = open_offline(data, io);
    if (!o) return 1;
    auto text = read_file(file, 12 * 1024 * 1024);
    if (!text) return fail(io, text.error().message);
    auto r = api::publish_profile_text(*o->ctx, std::string(as_string(*text)), "cli");
    const auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status != 201) {
        fmt::print(io.err, "error: {}\n", doc.value("detail", "the profile was refused"));
        if (doc.contains("errors"))
            for (const auto& e : doc["errors"])
                fmt::print(io.err, "  {}: {}\n", e.value("field", ""), e.value("message", ""));
        return 1;
    }
    fmt::print(io.out, "Published profile {} revision {}; clients pick it up at their next start.\n",
               doc.value("id", ""), doc.value("revision", 0));
    return 0;
}

int migrate_command(const std::string& from, const std::string& to, CliIo io) {
    constexpr std::string_view kSqlite = "sqlite:";
    const std::string path = from.rfind(kSqlite, 0) == 0 ? from.substr(kSqlite.size()) : from;
    if (is_postgres_url(from))
        return fail(io, "--from takes the SQLite database to copy (sqlite:/var/lib/helpline/helpline.db); copying "
                        "from PostgreSQL is pg_dump's job.");
    if (!is_postgres_url(to))
        return fail(io, "--to takes the PostgreSQL database to copy into: postgresql://USER@HOST/DATABASE (got '" +
                            PgDb::without_password(to) + "').");
    if (!fs::exists(path))
        return fail(io, "there is no SQLite database at '" + path +
                            "'. Name the team's database file: --from sqlite:DATA/helpline.db.");
    // As root on the service's files, SQLite would leave root's files behind (data_owner.h).
    const fs::path folder = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
    if (const auto owner = foreign_data_owner(folder, ::geteuid()))
        return fail(io, foreign_data_refusal(folder, *owner,
                                             "migrate --from sqlite:" + path + " --to '" + PgDb::without_password(to) +
                                                 "'"));
    // Both at the latest schema first: the source as this server would upgrade it, the
    // target created (an empty database) or checked.
    for (const std::string& database : {path, to}) {
        auto opened = open_store(database);
        if (!opened) return fail(io, opened.error().message);
    }
    Result<std::vector<TableCount>> copied = make_error("migrate", "not run");
    try {
        auto source = SqliteDb::open(path);
        auto target = PgDb::open(to);
        copied = copy_database(*source, *target);
    } catch (const DbException& e) {
        return fail(io, e.error().message);
    }
    if (!copied) return fail(io, copied.error().message);
    fmt::print(io.out, "Copied the team from {} into {}:\n", path, PgDb::without_password(to));
    std::int64_t rows = 0;
    for (const TableCount& c : *copied) {
        fmt::print(io.out, "  {:<20} {:>10} rows (source {})\n", c.table, c.target, c.source);
        rows += c.target;
    }
    fmt::print(io.out,
               "{} rows in all; every table's count matches. Start the servers with --database '{}' (and keep "
               "{} as a backup until you are sure).\n",
               rows, PgDb::without_password(to), path);
    return 0;
}

}  // namespace helpline::server
