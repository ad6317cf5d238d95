#pragma once
// Runs the real helpline-vnc-auth for the tests (in a process group of its own, stopped at
// the end) and looks at what it leaves: its listening sockets, its private folder, the
// processes it started.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "client/core/spawn.h"

namespace helpline::test {

/// Writes `password` into a new 0600 file `path` (owned by `uid` when the tests run as root).
void write_password_file(const std::filesystem::path& path, const std::string& password, uid_t uid,
                         gid_t gid);

/// The private folders (helpline-vnc-*) in `runtime_dir`.
std::vector<std::filesystem::path> private_dirs(const std::filesystem::path& runtime_dir);

/// A started process with its output in a file.
struct Started {
    std::unique_ptr<client::ChildProcess> process;
    std::filesystem::path output;
    std::string said() const;
};
/// Spawns `argv` (argv[0] an absolute path) in a process group of its own.
Started start_process(const std::vector<std::string>& argv, const std::filesystem::path& output);

}  // namespace helpline::test
