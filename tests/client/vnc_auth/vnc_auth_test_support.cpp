#include "tests/client/vnc_auth/vnc_auth_test_support.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/fixtures.h"

namespace helpline::test {


void write_password_file(const fs::path& path, const std::string& password, uid_t uid, gid_t gid) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    const std::string line = password + "\n";
    REQUIRE(::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
    ::close(fd);
    if (::geteuid() == 0) REQUIRE(::chown(path.c_str(), uid, gid) == 0);
}

std::vector<fs::path> private_dirs(const fs::path& runtime_dir) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(runtime_dir, ec))
        if (entry.path().filename().string().rfind("helpline-vnc-", 0) == 0)
            found.push_back(entry.path());
    return found;
}

std::string Started::said() const {
    return read_text(output);
}

Started start_process(const std::vector<std::string>& argv, const fs::path& output) {
    client::SpawnOptions spawn;
    spawn.executable = argv.front();
    spawn.argv = argv;
    spawn.output = output;
    auto process = client::ChildProcess::spawn(spawn);
    INFO((process ? "" : process.error().message));
    REQUIRE(process.ok());
    return Started{std::move(*process), output};
}

}  // namespace helpline::test
