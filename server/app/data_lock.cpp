#include "server/app/data_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace helpline::server {

std::filesystem::path data_lock_path(const std::filesystem::path& data) {
    return data / "server.lock";
}

Result<DataLock> DataLock::acquire(const std::filesystem::path& data, Kind kind) {
    const auto path = data_lock_path(data);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return make_error(
            data_lock_error::kLock,
            "Could not open the lock file '" + path.string() + "': " + std::strerror(errno) + ".",
            path.string());
    DataLock lock(fd);
    int rc = 0;
    do {
        rc = ::flock(fd, (kind == Kind::shared ? LOCK_SH : LOCK_EX) | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0 && errno == EWOULDBLOCK)
        return make_error(data_lock_error::kInUse,
                          "The data folder '" + data.string() + "' is in use.", data.string());
    if (rc != 0)
        return make_error(data_lock_error::kLock,
                          "Could not lock '" + path.string() + "': " + std::strerror(errno) + ".",
                          path.string());
    return lock;
}

DataLock::DataLock(DataLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataLock& DataLock::operator=(DataLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

DataLock::~DataLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace helpline::server
