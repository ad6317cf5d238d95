#pragma once
// The private folder that holds the backend's Unix socket and its output: made with mkdtemp
// (mode 0700, a name nobody can predict) in $XDG_RUNTIME_DIR, else /tmp, so only this user
// can reach the unauthenticated socket inside. Removed with everything in it on destruction.

#include <filesystem>
#include <memory>

#include "shared/result.h"

namespace helpline::client::vnc_auth {

class PrivateDir {
  public:
    /// In $XDG_RUNTIME_DIR when set to an absolute path, else in /tmp.
    static Result<std::unique_ptr<PrivateDir>> create();
    ~PrivateDir();
    PrivateDir(const PrivateDir&) = delete;
    PrivateDir& operator=(const PrivateDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    /// Removes it now (idempotent).
    void remove();

  private:
    explicit PrivateDir(std::filesystem::path path) : path_(std::move(path)) {}
    std::filesystem::path path_;
    bool removed_ = false;
};

}  // namespace helpline::client::vnc_auth
