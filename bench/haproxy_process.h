#pragma once
// HAProxy (Debian's haproxy) for the benchmarks: a configuration the benchmark writes, run
// in the foreground (`haproxy -db -f FILE`, one process, its threads) in a temporary folder,
// with a sure end: SIGTERM then SIGKILL in the destructor, and PR_SET_PDEATHSIG if the
// benchmark dies. Its process CPU time comes from /proc like the server's.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace helpline::bench {

class HaproxyProcess {
  public:
    /// Writes `config` to haproxy.cfg in a new temporary folder, checks it with `haproxy -c`,
    /// starts it and waits (10 s at most) until 127.0.0.1:`port` accepts connections.
    /// Files the configuration names (a PEM) are the caller's.
    /// Throws with HAProxy's own message when it refuses the configuration or does not
    /// start, and with the install command when haproxy is missing.
    HaproxyProcess(const std::string& config, std::uint16_t port);
    ~HaproxyProcess();  ///< stops HAProxy and removes the folder
    HaproxyProcess(const HaproxyProcess&) = delete;
    HaproxyProcess& operator=(const HaproxyProcess&) = delete;

    pid_t pid() const { return pid_; }
    std::uint16_t port() const { return port_; }
    /// User + system CPU seconds HAProxy has used so far.
    double cpu_seconds() const;
    /// HAProxy's version line ("HAProxy version 2.6.12-1+deb12u4 2023/12/19 ...").
    static std::string version();

  private:
    void shutdown();  ///< SIGTERM, then SIGKILL after 10 s; removes the folder

    std::filesystem::path dir_;
    pid_t pid_ = -1;
    std::uint16_t port_;
};

/// A loopback TCP port that was free a moment ago (bound to port 0, then closed): for a
/// program whose configuration needs a number before it starts (HAProxy).
std::uint16_t free_loopback_port();

/// A new temporary folder (under HELPLINE_BENCH_DIR, else /tmp) whose name starts with `prefix`.
std::filesystem::path make_bench_folder(const std::string& prefix);

}  // namespace helpline::bench
