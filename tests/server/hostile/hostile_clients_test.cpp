// Slow and hostile clients at the real helpline-server (issue 19): request heads and bodies
// dribbled a byte a second, 10,000 connections that never send a byte, a relay viewer that
// never reads. Each is closed (or held back) as docs/security.md says, the server's memory
// stays bounded, and a polite client's GET /livez keeps its p99 within 10 ms throughout
// (fresh connection per request, one every 30 ms). The figures go to stdout
// ("hostile: ..."), docs/security.md "Hostile clients" has them.

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "tests/server/e2e/e2e_fixture.h"
#include "tests/server/hostile/hostile_crowd.h"

namespace helpline::test::hostile {
namespace {

using namespace std::chrono_literals;
using e2e::Team;

/// The server's request timeout (ServerOptions::request_timeout): a connection's first
/// request, head and body, must have arrived within it from the accept.
constexpr auto kRequestTimeout = 10s;
/// How late a close may be seen: the server's I/O threads and this test share two cores,
/// and in CI the server runs under AddressSanitizer.
constexpr auto kLateness = 3s;
constexpr double kP99BoundMs = 10.0;
/// /livez from a polite client: one every 30 ms, fresh connection each.
constexpr auto kProbeInterval = 30ms;
constexpr std::size_t kMinProbes = 200;

double seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

struct CloseTimes {
    double earliest = 1e9;
    double latest = 0;
    std::size_t never = 0;
    std::size_t answered = 0;  ///< connections the server wrote to before closing
};

CloseTimes close_times(const Crowd& crowd) {
    CloseTimes out;
    for (const auto& peer : crowd.peers()) {
        if (!peer.closed) {
            ++out.never;
            continue;
        }
        const double s = seconds(*peer.closed - peer.opened);
        out.earliest = std::min(out.earliest, s);
        out.latest = std::max(out.latest, s);
        out.answered += peer.answered > 0;
    }
    return out;
}

std::string quantiles(const std::vector<double>& latencies) {
    std::ostringstream out;
    out << "n=" << latencies.size() << " p50=" << quantile(latencies, 0.50)
        << " ms p99=" << quantile(latencies, 0.99) << " ms max=" << quantile(latencies, 1.0)
        << " ms";
    return out.str();
}

/// When the server closed the first of the crowd's connections.
Clock::time_point first_close(const Crowd& crowd) {
    auto first = Clock::time_point::max();
    for (const auto& peer : crowd.peers())
        if (peer.closed) first = std::min(first, *peer.closed);
    return first;
}

/// The p99 of /livez with nothing hostile left open, measured the same way in the same run:
/// what the machine itself gives (a sanitized build on a busy machine is slower than the
/// target's 10 ms without any attack).
double quiet_p99(std::uint16_t port) {
    LivezProbe quiet(port, std::chrono::milliseconds(10), kMinProbes);
    wait_for([&] { return quiet.latencies().size() >= kMinProbes; }, std::chrono::seconds(30));
    quiet.stop();
    return quantile(quiet.latencies(), 0.99);
}

/// Checks and prints the probe's figures: the p99 while the hostile connections were all
/// open ([from, to)) must stay within the bound — 10 ms, or three times the p99 the same server
/// gives in the same run with nothing hostile open, when the machine alone is slower than
/// that; the whole run's, the opening burst and the moment the server closes thousands of
/// connections at once included, is printed too.
void check_livez(const LivezProbe& probe, Clock::time_point from, Clock::time_point to,
                 const std::string& scenario, const std::string& figures, std::uint16_t port) {
    const auto held = probe.latencies(from, to);
    const auto all = probe.latencies();
    const double quiet = quiet_p99(port);
    const double bound = std::max(kP99BoundMs, 3 * quiet);
    std::cout << "hostile: " << scenario << ": /livez p99 with nothing hostile open " << quiet
              << " ms: the bound is " << bound << " ms\n";
    std::cout << "hostile: " << scenario << ": " << figures << "; /livez while held "
              << quantiles(held) << "; whole run " << quantiles(all) << ", failed "
              << probe.failures() << "\n";
    std::cout << "hostile: " << scenario
              << ": slower than the bound: " << probe.slow_ones(bound, from) << "\n";
    INFO(scenario << ": " << figures << "; /livez while held " << quantiles(held) << "; whole run "
                  << quantiles(all) << "; last /livez failure: " << probe.last_failure());
    CHECK(held.size() >= kMinProbes);
    CHECK(probe.failures() == 0);
    INFO("/livez p99 with nothing hostile open: " << quiet << " ms");
    CHECK(quantile(held, 0.99) <= bound);
}

std::string mib(std::uint64_t kib) {
    return std::to_string(static_cast<double>(kib) / 1024.0).substr(0, 5) + " MiB";
}

/// A crowd of connections, each sending its head, then `dribble` a byte a second: every
/// one must be closed `timeout` after its connect (not before: the dribbling keeps it
/// going; not much after).
void dribbling_crowd(Team& team, const std::string& scenario, const std::vector<std::string>& heads,
                     const std::string& dribble, Clock::duration timeout = kRequestTimeout) {
    const int pid = team.server().pid();
    const auto rss_before = rss_kib(pid);
    std::uint64_t rss_peak = rss_before;

    LivezProbe probe(team.server().port(), kProbeInterval, 1000);
    Crowd crowd(team.server().port());
    const auto open_deadline = Clock::now() + 10s;
    for (const auto& head : heads) {
        INFO(crowd.error());
        REQUIRE(crowd.open(1, head, dribble, 1s, open_deadline) == 1);
    }
    const auto all_open = Clock::now();
    const bool all_closed = crowd.run_until_closed(Clock::now() + timeout + kLateness + 5s, [&] {
        rss_peak = std::max(rss_peak, rss_kib(pid));
    });
    probe.stop();

    const auto times = close_times(crowd);
    std::ostringstream figures;
    figures << heads.size() << " connections closed after " << times.earliest << "-" << times.latest
            << " s (never: " << times.never << "), RSS " << mib(rss_before) << " -> peak "
            << mib(rss_peak);
    INFO(figures.str());
    CHECK(all_closed);
    CHECK(times.earliest >= seconds(timeout) - 0.05);
    CHECK(times.latest <= seconds(timeout + kLateness));
    // At most a thousand connections of a few KiB each: ~10 MiB in the dev build; under
    // AddressSanitizer more (red zones, and freed memory is quarantined, not reused).
    CHECK(rss_peak - rss_before < 64 * 1024);
    check_livez(probe, all_open, first_close(crowd), scenario, figures.str(), team.server().port());
    CHECK(team.call("GET", "/livez").status == 200);
}

}  // namespace

TEST_CASE(
    "request heads dribbled a byte a second are closed at the request timeout, others are "
    "served",
    "[hostile]") {
    raise_fd_limit();
    raise_priority();
    // A request line, then one header that never ends (8 KiB would be refused with 431;
    // this stays far below).
    Team team;
    dribbling_crowd(
        team, "slowloris heads",
        std::vector<std::string>(1000, "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "),
        std::string(200, 'a'));
}

TEST_CASE(
    "request bodies dribbled a byte a second are closed at the request timeout, others "
    "are served",
    "[hostile]") {
    raise_fd_limit();
    raise_priority();
    // A whole head announcing 4,000 bytes (below the 64 KiB limit), then the body a byte a
    // second.
    Team team;
    dribbling_crowd(team, "slow bodies",
                    std::vector<std::string>(200,
                                             "POST /api/v1/auth/login HTTP/1.1\r\nHost: "
                                             "127.0.0.1\r\nContent-Type: application/json\r\n"
                                             "Content-Length: 4000\r\n\r\n"),
                    std::string(4000, ' '));
}

TEST_CASE(
    "uploads dribbled a byte a second are closed once below 8 KiB/s on average, others are served",
    "[hostile]") {
    raise_fd_limit();
    raise_priority();
    // An upload's body goes to a spool file and may pause up to the request timeout between
    // pieces; on average it must come at 8 KiB/s: 8 KiB has 10 + 1 s from its admission.
    Team team;
    const auto device = team.register_device();
    const auto ticket = team.submit(device, e2e::ticket_body("A file follows, slowly"));
    constexpr std::size_t kSize = 8 * 1024;
    std::vector<std::string> heads;
    for (int i = 0; i < 20; ++i)
        heads.push_back("PUT /api/v1/tickets/" + std::to_string(ticket) + "/attachments/" +
                        e2e::new_uuid() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                        device.token +
                        "\r\nContent-Type: text/plain\r\nX-Helpline-File-Name: slow.txt\r\n"
                        "Content-Length: " +
                        std::to_string(kSize) + "\r\n\r\n");
    dribbling_crowd(team, "slow uploads", heads, std::string(kSize, 'a'), kRequestTimeout + 1s);
    // Their spool files are gone: a body that stopped short stores nothing.
    const auto uploads = team.server().data() / "uploads";
    CHECK(wait_for(
        [&] {
            std::error_code ec;
            return !std::filesystem::exists(uploads, ec) || std::filesystem::is_empty(uploads, ec);
        },
        5s));
}

TEST_CASE(
    "10,000 connections that never send a byte cost a few KiB each and are closed at the "
    "request timeout",
    "[hostile]") {
    constexpr std::size_t kIdle = 10'000;
    const auto limit = raise_fd_limit();
    raise_priority();
    // The server inherits this limit (and raises its own soft limit to its hard one).
    INFO("RLIMIT_NOFILE " << limit);
    REQUIRE(limit >= kIdle + 512);

    Team team;
    const int pid = team.server().pid();
    const auto fds_before = open_fds(pid);
    const auto rss_before = rss_kib(pid);

    // Every 10 ms here: the server may take seconds to accept all 10,000 on a busy machine,
    // which leaves less time between holding them all and their timeout.
    LivezProbe probe(team.server().port(), 10ms, 2000);
    Crowd crowd(team.server().port());
    const auto open_started = Clock::now();
    const auto opened = crowd.open(kIdle, {}, {}, 1s, Clock::now() + 8s);
    const double open_seconds = seconds(Clock::now() - open_started);
    INFO(crowd.error());
    REQUIRE(opened == kIdle);
    // Every one accepted: the server holds a descriptor for each.
    const bool all_held = wait_for([&] { return open_fds(pid) >= fds_before + kIdle; }, 5s);
    const auto all_open = Clock::now();
    const auto rss_held = rss_kib(pid);
    const auto fds_held = open_fds(pid);
    const double per_connection_kib =
        static_cast<double>(rss_held - std::min(rss_held, rss_before)) / static_cast<double>(kIdle);
    CHECK(all_held);
    CHECK(crowd.open_count() == kIdle);  // none closed before the timeout

    const bool all_closed = crowd.run_until_closed(Clock::now() + kRequestTimeout + kLateness + 5s);
    probe.stop();
    const auto times = close_times(crowd);
    CHECK(all_closed);
    CHECK(times.earliest >= seconds(kRequestTimeout) - 0.05);
    CHECK(times.latest <= seconds(kRequestTimeout + kLateness));
    // The descriptors are given back.
    CHECK(wait_for([&] { return open_fds(pid) <= fds_before + 16; }, 5s));

    std::ostringstream figures;
    figures << kIdle << " opened in " << open_seconds << " s, server fds " << fds_before << " -> "
            << fds_held << ", RSS " << mib(rss_before) << " -> " << mib(rss_held) << " ("
            << per_connection_kib << " KiB per connection), closed after " << times.earliest << "-"
            << times.latest << " s (never: " << times.never << ")";
    // Measured: 8.3 KiB per connection in the dev build, 13.6 under AddressSanitizer (its
    // red zones); 24 KiB leaves room there and still means 20,000 connections in 480 MiB.
    CHECK(per_connection_kib < 24.0);
    check_livez(probe, all_open, first_close(crowd), "10,000 idle connections", figures.str(),
                team.server().port());
}

TEST_CASE(
    "a relay viewer that never reads holds the customer's side back, not the server's "
    "memory",
    "[hostile]") {
    raise_fd_limit();
    raise_priority();
    Team team;
    const int pid = team.server().pid();
    const auto port = team.server().port();

    // An accepted remote session: a device files a ticket, the admin asks to connect, the
    // device accepts.
    const auto device = team.register_device();
    const auto ticket = team.submit(device, e2e::ticket_body("Please look at my screen"));
    const auto asked = team.call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect",
                                 team.admin_token());
    INFO(asked.body);
    REQUIRE(asked.status == 201);
    const auto request_id = e2e::body_json(asked).at("request_id").get<std::string>();
    const auto accepted = team.call("POST", "/api/v1/connection-requests/" + request_id + "/accept",
                                    device.token, e2e::Json{{"vnc_password", "password1"}});
    INFO(accepted.body);
    REQUIRE(accepted.status == 200);
    const auto session = e2e::body_json(accepted).at("session_id").get<std::string>();
    const auto relay_token = e2e::body_json(accepted).at("relay_token").get<std::string>();

    // The viewer: a WebSocket handshake written by hand, then not one byte read, ever.
    const int viewer = connect_blocking(port, 10s);
    REQUIRE(viewer >= 0);
    const std::string handshake =
        "GET /api/v1/relay/" + session +
        "/view HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        "dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " +
        team.admin_token() + "\r\n\r\n";
    REQUIRE(::send(viewer, handshake.data(), handshake.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(handshake.size()));
    std::string early;
    const auto viewer_head = read_head(viewer, early);
    INFO(viewer_head);
    REQUIRE(viewer_head.rfind("HTTP/1.1 101", 0) == 0);

    // The customer's tunnel, raw too, pushing bytes as fast as the server takes them.
    const int tunnel = connect_blocking(port, 10s);
    REQUIRE(tunnel >= 0);
    const std::string upgrade =
        "GET /api/v1/relay/" + session +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: helpline-relay/1\r\nConnection: "
        "Upgrade\r\nAuthorization: Bearer " +
        relay_token + "\r\n\r\n";
    REQUIRE(::send(tunnel, upgrade.data(), upgrade.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(upgrade.size()));
    const auto tunnel_head = read_head(tunnel, early);
    INFO(tunnel_head);
    REQUIRE(tunnel_head.rfind("HTTP/1.1 101", 0) == 0);
    ::fcntl(tunnel, F_SETFL, ::fcntl(tunnel, F_GETFL) | O_NONBLOCK);

    const auto rss_before = rss_kib(pid);
    std::uint64_t rss_peak = rss_before;
    LivezProbe probe(port, kProbeInterval, 1000);

    // Bounded: at most 200 MiB or 15 s.
    constexpr std::size_t kLimit = 200u * 1024 * 1024;
    const std::string chunk(64 * 1024, 'x');
    std::size_t pushed = 0;
    std::size_t pushed_at_10s = 0;
    const auto start = Clock::now();
    auto last_sample = start;
    while (pushed < kLimit && Clock::now() - start < 15s) {
        const auto n = ::send(tunnel, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n > 0) {
            pushed += static_cast<std::size_t>(n);
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            pollfd p{tunnel, POLLOUT, 0};
            ::poll(&p, 1, 20);  // wait for room rather than spin
        } else {
            break;
        }
        const auto now = Clock::now();
        if (now - last_sample >= 20ms) {
            last_sample = now;
            rss_peak = std::max(rss_peak, rss_kib(pid));
            if (now - start < 10s) pushed_at_10s = pushed;
        }
    }
    const double push_seconds = seconds(Clock::now() - start);
    probe.stop();

    std::ostringstream figures;
    figures << "pushed " << pushed / 1024 << " KiB in " << push_seconds << " s ("
            << pushed_at_10s / 1024 << " KiB by 10 s), server RSS " << mib(rss_before)
            << " -> peak " << mib(rss_peak);
    INFO(figures.str());
    // Held back: what went in fits in the socket buffers on the way and the relay's 128 KiB
    // pipe, and nothing more went in after the first 10 s.
    CHECK(pushed < 64u * 1024 * 1024);
    CHECK(pushed == pushed_at_10s);
    // The server kept its pipe (128 KiB) and not the pushed bytes: under 1 MiB more in the
    // dev build; the bound leaves room for AddressSanitizer's quarantine of freed memory
    // (the /livez requests meanwhile) and is still far below what was pushed.
    CHECK(rss_peak - rss_before < 48 * 1024);
    check_livez(probe, start, Clock::now(), "never-reading viewer", figures.str(), team.server().port());

    // The viewer going away ends the tunnel (docs/protocol.md "How a relayed session ends").
    ::close(viewer);
    const bool tunnel_closed = wait_for(
        [&] {
            char buffer[4096];
            const auto n = ::recv(tunnel, buffer, sizeof buffer, 0);
            return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        },
        10s);
    CHECK(tunnel_closed);
    ::close(tunnel);
}

}  // namespace helpline::test::hostile
