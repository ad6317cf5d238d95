#include "shared/vnc_password_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shared/unique_fd.h"
#include "shared/vnc_des.h"

namespace helpline {

namespace {

/// A password file is one short line; anything much longer is not one.
constexpr std::size_t kMaxFileSize = 4096;

Error refused(const std::filesystem::path& path, const std::string& what) {
    return make_error("password_file",
                      fmt::format("The password file '{}' {}. The Helpline client writes a new "
                                  "one (mode 0600) for each session and passes it with "
                                  "--password-file.",
                                  path.string(), what),
                      path.string());
}

}  // namespace

Result<std::string> take_password_file(const std::filesystem::path& path) {
    // O_NOFOLLOW: a symbolic link planted in its place is refused, never followed.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0)
        return refused(path, errno == ELOOP
                                 ? "is a symbolic link"
                                 : fmt::format("cannot be opened ({})", std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return refused(path, fmt::format("cannot be examined ({})", std::strerror(errno)));
    if (!S_ISREG(st.st_mode)) return refused(path, "is not a regular file");
    if (st.st_uid != ::geteuid())
        return refused(path, fmt::format("belongs to user id {}, not to this user ({})", st.st_uid,
                                         ::geteuid()));
    // Ours: delete it now, whatever follows.
    ::unlink(path.c_str());
    if ((st.st_mode & 07777) != 0600)
        return refused(path, fmt::format("has mode {:04o}; only 0600 keeps others from reading it",
                                         st.st_mode & 07777));

    std::string text;
    char buffer[512];
    while (text.size() <= kMaxFileSize) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return refused(path, fmt::format("cannot be read ({})", std::strerror(errno)));
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    const auto end = text.find_first_of("\r\n");
    std::string password = text.substr(0, end == std::string::npos ? text.size() : end);
    if (password.empty()) return refused(path, "is empty (no password on its first line)");
    if (password.size() > kVncPasswordMax) password.resize(kVncPasswordMax);
    return password;
}

}  // namespace helpline
