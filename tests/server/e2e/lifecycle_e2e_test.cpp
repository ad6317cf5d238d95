// The server's life over time: tickets expiring into history, and a graceful stop on
// SIGTERM that ends event streams and finishes the request it is handling.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/server/e2e/database_write_lock.h"
#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {
namespace {

bool has_ticket(const Json& tickets, std::int64_t number, const std::string& status) {
    for (const auto& t : tickets)
        if (t.at("number") == number && t.at("status") == status) return true;
    return false;
}

/// A TCP connection to 127.0.0.1 that knows its own port (RawSocket does not say).
class Connection {
  public:
    explicit Connection(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        socklen_t size = sizeof addr;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &size) == 0);
        local_port_ = ntohs(addr.sin_port);
    }
    ~Connection() { close(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    std::uint16_t local_port() const { return local_port_; }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    void send(const std::string& data) {
        REQUIRE(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(data.size()));
    }
    /// Everything until the peer closes (bounded by `timeout` per read).
    std::string read_all(int timeout_ms) {
        timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string out;
        char buf[4096];
        ssize_t n = 0;
        while ((n = ::recv(fd_, buf, sizeof buf, 0)) > 0)
            out.append(buf, static_cast<std::size_t>(n));
        return out;
    }

  private:
    int fd_ = -1;
    std::uint16_t local_port_ = 0;
};

/// Whether the server has taken every byte sent to it on the connection from
/// `client_port`: its socket's receive queue in /proc/net/tcp is empty.
bool server_has_read(std::uint16_t server_port, std::uint16_t client_port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // header
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues;
        fields >> slot >> local >> remote >> state >> queues;
        const auto port_of = [](const std::string& address) {
            return static_cast<std::uint16_t>(
                std::stoul(address.substr(address.find(':') + 1), nullptr, 16));
        };
        if (port_of(local) != server_port || port_of(remote) != client_port) continue;
        return std::stoul(queues.substr(queues.find(':') + 1), nullptr, 16) == 0;
    }
    return false;
}

}  // namespace

TEST_CASE("an unclosed ticket expires into history once the ticket TTL has passed") {
    auto args = unlimited_args();
    args.insert(args.end(), {"--ticket-ttl", "2", "--sweep-interval-ms", "100"});
    Team team(args);
    const auto device = team.register_device();
    CurlEventStream stream(team.server().url("/api/v1/events"), bearer(device.token));
    const auto number = team.submit(device, ticket_body("Expire me"));
    CHECK(has_ticket(team.admin_queue(), number, "open"));

    REQUIRE(wait_for([&] { return has_ticket(team.admin_history(), number, "expired"); },
                     std::chrono::seconds(10), std::chrono::milliseconds(100)));
    CHECK(team.admin_queue().empty());
    const Json mine = body_json(team.call("GET", "/api/v1/devices/me/tickets", device.token));
    CHECK(has_ticket(mine.at("tickets"), number, "expired"));
    CHECK(
        wait_for([&] { return stream.text().find("\"status\":\"expired\"") != std::string::npos; },
                 std::chrono::seconds(2)));
    // Expired is final: it cannot be closed any more.
    CHECK(team.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/close",
                    team.admin_token())
              .status == 409);
    bool audited = false;
    const Json audit = body_json(team.call("GET", "/api/v1/audit", team.admin_token()));
    for (const auto& e : audit.at("entries"))
        audited =
            audited || (e.at("action") == "ticket-expired" && e.at("ticket_number") == number);
    CHECK(audited);
    stream.stop();
}

// [single]: a request in flight is plain HTTP on the server's own port, watched in the
// server's socket queue.
TEST_CASE("SIGTERM stops gracefully: event streams end and the request being handled completes", "[single]") {
    auto args = unlimited_args();
    args.insert(args.end(), {"--sweep-interval-ms", "600000"});  // no sweep during the stop
    Team team(args);
    const auto device = team.register_device();
    CurlEventStream stream(team.server().url("/api/v1/events"), bearer(device.token));
    REQUIRE(wait_for([&] { return stream.header("content-type") == "text/event-stream"; }));

    // Holding the database's write lock keeps the submission's handler busy (waiting on
    // the database) for as long as the test wants: a request in flight, deterministically.
    DatabaseWriteLock lock(team.server());
    Connection submit(team.server().port());
    const std::string body = ticket_body("Submitted during the stop").dump();
    submit.send("POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                device.token + "\r\nIdempotency-Key: " + new_uuid() +
                "\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body);
    const bool read =
        wait_for([&] { return server_has_read(team.server().port(), submit.local_port()); });

    team.server().send_sigterm();
    // The stop has begun once the stream has ended; only then may the handler go on.
    const bool ended = wait_for([&] { return stream.finished(); });
    lock.release();
    REQUIRE(read);
    REQUIRE(ended);
    CHECK(stream.result() == CURLE_OK);  // a proper end of the stream, not a cut connection

    const std::string answer = submit.read_all(10'000);
    submit.close();  // the server's graceful close waits for ours
    INFO(answer);
    CHECK(answer.rfind("HTTP/1.1 201 ", 0) == 0);
    CHECK(answer.find("\"status\":\"open\"") != std::string::npos);
    CHECK(team.server().wait_exit() == 0);
    CHECK(team.server().log().find("stopping gracefully") != std::string::npos);
    // Nothing is accepted any more.
    CHECK(team.call("GET", "/livez").code == CURLE_COULDNT_CONNECT);

    // The ticket it answered for was stored.
    team.server().start();
    CHECK(team.admin_queue().size() == 1);
}

}  // namespace helpline::test::e2e
