#include "server/app/data_owner.h"

#include <pwd.h>
#include <sys/stat.h>

#include <vector>

#include "server/app/server_app.h"

namespace helpline::server {

std::optional<std::string> foreign_data_owner(const std::filesystem::path& data, uid_t euid) {
    if (euid != 0) return std::nullopt;  // without root, the file permissions decide
    for (const auto& path : {data, database_path(data)}) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || st.st_uid == 0) continue;
        struct passwd entry {};
        struct passwd* found = nullptr;
        std::vector<char> buffer(16384);
        if (::getpwuid_r(st.st_uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr)
            return std::string(found->pw_name);
        return "uid " + std::to_string(st.st_uid);
    }
    return std::nullopt;
}

std::string foreign_data_refusal(const std::filesystem::path& data, const std::string& owner,
                                 const std::string& command_line) {
    // sudo -u takes "#UID" for a user without a name.
    const std::string as = owner.rfind("uid ", 0) == 0 ? "'#" + owner.substr(4) + "'" : owner;
    return "the data folder '" + data.string() + "' belongs to " +
           (owner.rfind("uid ", 0) == 0 ? owner : "the user '" + owner + "'") +
           ", and this command runs as root: files it would create there (the database's -wal and "
           "-shm) would belong to root and lock the server, which runs as that user, out of its "
           "database. Run it as that user instead:\n  sudo -u " + as + " helpline-server " + command_line;
}

}  // namespace helpline::server
