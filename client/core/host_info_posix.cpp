#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

#include "client/core/host_info.h"

namespace helpline::client {

std::string host_name() {
    char buffer[256] = {};
    if (::gethostname(buffer, sizeof buffer - 1) != 0) return {};
    return buffer;
}

std::string os_description() {
    std::string pretty;
    std::ifstream release("/etc/os-release");
    for (std::string line; std::getline(release, line);) {
        if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
        pretty = line.substr(12);
        if (pretty.size() >= 2 && (pretty.front() == '"' || pretty.front() == '\''))
            pretty = pretty.substr(1, pretty.size() - 2);
    }
    utsname u{};
    std::string kernel;
    if (::uname(&u) == 0) kernel = fmt::format("{} {} {}", u.sysname, u.release, u.machine);
    std::string out = pretty.empty() ? kernel : (kernel.empty() ? pretty : pretty + "; " + kernel);
    if (out.size() > 255) out.resize(255);
    return out;
}

}  // namespace helpline::client
