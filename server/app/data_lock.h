#pragma once
// Who is using a data folder: every `run` holds a shared flock on DATA/server.lock while it
// serves (several servers may share one folder's database), and `restore` takes it
// exclusively, without waiting: a restore is refused while any server runs there, and a
// server does not start while a restore replaces its data. The kernel drops the lock when
// its process ends, however it ends: no stale pid file to clean after a crash.

#include <filesystem>

#include "shared/result.h"

namespace helpline::server {

namespace data_lock_error {
inline constexpr const char* kInUse = "data.in_use";  ///< another process holds it the other way
inline constexpr const char* kLock = "data.lock";     ///< the lock file cannot be made or locked
}  // namespace data_lock_error

class DataLock {
  public:
    enum class Kind { shared, exclusive };

    /// Takes the lock of `data` (an existing folder) without waiting; data_lock_error::kInUse
    /// when another process holds it in a way that excludes `kind`.
    static Result<DataLock> acquire(const std::filesystem::path& data, Kind kind);

    DataLock(DataLock&& other) noexcept;
    DataLock& operator=(DataLock&& other) noexcept;
    DataLock(const DataLock&) = delete;
    DataLock& operator=(const DataLock&) = delete;
    ~DataLock();  ///< releases it

  private:
    explicit DataLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

/// The lock file of a data folder.
std::filesystem::path data_lock_path(const std::filesystem::path& data);

}  // namespace helpline::server
