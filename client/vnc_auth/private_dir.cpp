#include "client/vnc_auth/private_dir.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace helpline::client::vnc_auth {

namespace fs = std::filesystem;

Result<std::unique_ptr<PrivateDir>> PrivateDir::create() {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    const fs::path base = runtime != nullptr && fs::path(runtime).is_absolute() ? fs::path(runtime)
                                                                                : fs::path("/tmp");
    std::string pattern = (base / "helpline-vnc-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)  // mode 0700
        return make_error("private_dir",
                          fmt::format("Could not create a private folder in '{}': {}. Check that "
                                      "XDG_RUNTIME_DIR names a writable folder of this user.",
                                      base.string(), std::strerror(errno)),
                          base.string());
    return std::unique_ptr<PrivateDir>(new PrivateDir(pattern));
}

PrivateDir::~PrivateDir() {
    remove();
}

void PrivateDir::remove() {
    if (removed_) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
    removed_ = true;
}

}  // namespace helpline::client::vnc_auth
