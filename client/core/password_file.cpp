#include "client/core/password_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shared/unique_fd.h"

namespace helpline::client {

namespace {
constexpr const char* kCode = "password_file";
constexpr std::size_t kMaxLine = 256;
}  // namespace

Result<std::string> take_password(const std::filesystem::path& path) {
    const std::string where = path.string();
    // O_NOFOLLOW: a symlink planted at the path is refused, never followed.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0)
        return make_error(kCode,
                          fmt::format("Could not open the password file '{}': {}.", where,
                                      std::strerror(errno)),
                          where);
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode))
        return make_error(kCode, fmt::format("'{}' is not a regular file.", where), where);
    if (info.st_uid != ::getuid() || (info.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return make_error(kCode,
                          fmt::format("The password file '{}' must belong to this user and be "
                                      "readable by nobody else (mode 0600).",
                                      where),
                          where);
    std::string text(kMaxLine, '\0');
    const ssize_t n = ::read(fd.get(), text.data(), text.size());
    ::unlink(path.c_str());
    if (n < 0)
        return make_error(kCode,
                          fmt::format("Could not read the password file '{}': {}.", where,
                                      std::strerror(errno)),
                          where);
    text.resize(static_cast<std::size_t>(n));
    text = text.substr(0, text.find_first_of("\r\n"));
    if (text.empty())
        return make_error(kCode, fmt::format("The password file '{}' is empty.", where), where);
    return text;
}

}  // namespace helpline::client
