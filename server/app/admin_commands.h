#pragma once
// Team management from the command line, straight on the team's database (the data
// folder's SQLite file, or PostgreSQL with --database).
// Each returns the exit code (0 ok, 1 failure).

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "server/app/server_app.h"

namespace helpline::server {

struct CliIo {
    std::ostream& out;
    std::ostream& err;
};

int init_command(const TeamData& data, const std::string& admin_email, const std::string& admin_name,
                 CliIo io);
int user_add_command(const TeamData& data, const std::string& email, const std::string& name,
                     const std::string& role, bool password_stdin, CliIo io);
int user_list_command(const TeamData& data, bool json, CliIo io);
int user_disable_command(const TeamData& data, const std::string& email, bool enable, CliIo io);
/// A locked-out user (or admin): prints a new one-time password and ends their sessions.
int user_reset_password_command(const TeamData& data, const std::string& email, CliIo io);
/// A user who lost their phone and recovery codes: turns their two-factor sign-in off.
int user_disable_two_factor_command(const TeamData& data, const std::string& email, CliIo io);
int group_add_command(const TeamData& data, const std::string& id, const std::string& name, CliIo io);
int group_rename_command(const TeamData& data, const std::string& id, const std::string& name,
                         CliIo io);
int group_delete_command(const TeamData& data, const std::string& id, CliIo io);
int group_members_command(const TeamData& data, const std::string& id,
                          const std::optional<std::vector<std::string>>& set_emails, CliIo io);
int org_add_command(const TeamData& data, const std::string& domain, const std::string& name, CliIo io);
int org_remove_command(const TeamData& data, const std::string& domain, CliIo io);
/// Copies a team from SQLite (`from`: sqlite:PATH or PATH) into an empty PostgreSQL database
/// (`to`: postgresql://...), verifying every table's row count (store/copy_database.h).
int migrate_command(const std::string& from, const std::string& to, CliIo io);
int profile_publish_command(const TeamData& data, const std::filesystem::path& file, CliIo io);

}  // namespace helpline::server
