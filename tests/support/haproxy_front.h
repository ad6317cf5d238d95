#pragma once
// HAProxy with the repository's own deploy/haproxy.cfg in front of helpline-server
// processes, for tests (issue 16): TLS on a free port of 127.0.0.1 with a certificate made
// for the test (openssl), health checks on /readyz, the admin socket in a temporary folder.
// Nothing of the configuration is the test's: what passes here is what runs in production.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"

namespace helpline::test {

class HaproxyFront {
  public:
    /// `servers`: "127.0.0.1:PORT" of each helpline-server (1 to 3). Returns once HAProxy
    /// accepts connections and sees every server UP (deadline 20 s; throws otherwise, with
    /// HAProxy's log). A missing haproxy or openssl throws with the install command.
    explicit HaproxyFront(const std::vector<std::string>& servers);
    ~HaproxyFront();  ///< SIGTERM, then SIGKILL; reaped
    HaproxyFront(const HaproxyFront&) = delete;
    HaproxyFront& operator=(const HaproxyFront&) = delete;

    /// "https://127.0.0.1:PORT" + path.
    std::string url(const std::string& path = "") const;
    std::uint16_t port() const { return port_; }
    /// The certificate HAProxy serves (for CurlOptions::ca_pem).
    const std::string& ca_pem() const { return ca_pem_; }
    /// A command on HAProxy's admin socket ("show stat", "disable server helpline/s1"); its answer.
    std::string admin(const std::string& command) const;
    /// The servers HAProxy counts as UP now (s1, s2, ...).
    std::vector<std::string> servers_up() const;
    /// Waits until exactly `servers` are UP (deadline `timeout`).
    bool wait_servers_up(const std::vector<std::string>& servers,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
    std::string log() const;

  private:
    void stop();

    TempDir dir_;
    std::uint16_t port_ = 0;
    std::string ca_pem_;
    pid_t pid_ = -1;
};

}  // namespace helpline::test
