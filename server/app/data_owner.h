#pragma once
// Commands run as root on a data folder that belongs to another user. A packaged server's
// /var/lib/helpline belongs to the service user; a command run there as root would leave
// files owned by root behind (SQLite's -wal and -shm, a new database) that the service,
// running as its own user, could then no longer open: the team's server would be locked
// out of its own database. Such commands are refused before they touch anything.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace helpline::server {

/// When `euid` is root and the data folder or its database exists and belongs to another
/// user: that user's name (or "uid N" when it has none), whom the command should run as.
/// Otherwise nothing: any user on their own files, and root on root's, may go on.
std::optional<std::string> foreign_data_owner(const std::filesystem::path& data, uid_t euid);

/// The message refusing `command_line` (the arguments after the program's name) as root on
/// a data folder of `owner`: what would go wrong and the command to run instead.
std::string foreign_data_refusal(const std::filesystem::path& data, const std::string& owner,
                                 const std::string& command_line);

}  // namespace helpline::server
