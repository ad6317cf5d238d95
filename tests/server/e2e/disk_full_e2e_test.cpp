// A full disk (issue 19, faults injected): the server's data folder on a small filesystem
// (a tmpfs the test mounts; CI runs as root), filled up while a device submits. Once space
// runs out submissions answer 503 with Retry-After and nothing acknowledged is lost; the
// server keeps serving reads; when space comes back it takes submissions again by itself,
// without a restart, and every key retried is one ticket.

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <map>
#include <set>

#include "tests/server/e2e/e2e_fixture.h"
#include "tests/support/sqlite_snapshot.h"

namespace helpline::test::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxSubmissions = 3000;  // bounds the loop that fills the disk

/// A tmpfs of `mib` MiB mounted at `at` for the test's life.
struct SmallDisk {
    fs::path at;
    SmallDisk(fs::path where, int mib) : at(std::move(where)) {
        fs::create_directories(at);
        const auto mounted = run_program({"/bin/mount", "-t", "tmpfs", "-o",
                                          "size=" + std::to_string(mib) + "m,mode=0700", "tmpfs", at.string()});
        INFO(mounted.err);
        REQUIRE(mounted.exit_code == 0);  // needs root (CI's user) or CAP_SYS_ADMIN
    }
    ~SmallDisk() { run_program({"/bin/umount", "-l", at.string()}); }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
};

/// Writes `path` until the filesystem is full; returns the bytes written.
std::int64_t fill(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    const std::string chunk(64 * 1024, 'x');
    std::int64_t written = 0;
    for (;;) {
        const auto n = ::write(fd, chunk.data(), chunk.size());
        if (n <= 0) break;
        written += n;
    }
    const int error = errno;
    ::close(fd);
    CHECK(error == ENOSPC);
    return written;
}

struct Submission {
    std::string key;
    std::string body;
    std::int64_t number = 0;  ///< once acknowledged
};

}  // namespace

TEST_CASE("on a full disk submissions answer 503 and lose nothing, reads go on, and the server recovers by itself",
          "[sqlite][single]") {
    TempDir dir;
    SmallDisk disk(dir / "data", 8);
    // The server's output goes beside the small disk (ServerProcess opens these names).
    for (const char* name : {"server.log", "server.out"})
        fs::create_symlink(dir / name, disk.at / name);
    ServerProcess server(kServerBin, disk.at, {"helpdesk"}, "");
    server.start(unlimited_args());
    const std::string admin = [&] {
        CurlOptions o;
        o.method = "POST";
        o.headers = {"Content-Type: application/json"};
        o.body = Json{{"email", server.admin_email()}, {"password", server.admin_password()}}.dump();
        return body_json(curl_request(server.url("/api/v1/auth/login"), o)).at("token").get<std::string>();
    }();
    CurlOptions reg;
    reg.method = "POST";
    reg.headers = {"Content-Type: application/json"};
    reg.body = Json{{"profile_id", kDemoProfile}, {"hostname", "pc-1"}}.dump();
    const std::string device = body_json(curl_request(server.url("/api/v1/devices"), reg)).at("device_token");

    CurlClient client;
    const auto submit = [&](const Submission& s) {
        CurlOptions o;
        o.method = "POST";
        o.body = s.body;
        o.headers = {"Content-Type: application/json", "Idempotency-Key: " + s.key, "Authorization: Bearer " + device};
        return client.request(server.url("/api/v1/tickets"), o);
    };
    const auto get = [&](const std::string& path, const std::string& token) {
        CurlOptions o;
        o.headers = {"Authorization: Bearer " + token};
        return client.request(server.url(path), o);
    };

    // Fill the disk but for 512 KiB, then submit long requests until the database cannot
    // grow.
    const auto filler = disk.at / "filler";
    const auto filled = fill(filler);
    fs::resize_file(filler, static_cast<std::uintmax_t>(std::max<std::int64_t>(0, filled - 512 * 1024)));
    std::vector<Submission> submissions;
    CurlResponse refused;
    const std::string long_text(15'000, 'a');
    for (int i = 0; i < kMaxSubmissions && refused.status == 0; ++i) {
        Submission s{new_uuid(), ticket_body(std::to_string(i) + " " + long_text).dump()};
        const auto r = submit(s);
        INFO(r.status << " " << r.body);
        REQUIRE((r.status == 201 || r.status == 503));
        if (r.status == 201) s.number = body_json(r).at("number").get<std::int64_t>();
        else refused = r;
        submissions.push_back(s);
    }
    INFO(submissions.size() << " submissions until the disk was full; server log: " << server.log());
    REQUIRE(refused.status == 503);
    CHECK(refused.header("retry-after") == "2");
    CHECK(body_json(refused).at("detail") == "The request could not be stored now; retry with the same Idempotency-Key.");

    // Reads go on: health, the device's tickets, the team's queue, with every acknowledged one.
    CHECK(get("/livez", "").status == 200);
    std::set<std::int64_t> acknowledged;
    for (const auto& s : submissions)
        if (s.number != 0) acknowledged.insert(s.number);
    REQUIRE_FALSE(acknowledged.empty());
    const auto mine = get("/api/v1/devices/me/tickets?limit=500", device);
    REQUIRE(mine.status == 200);
    const auto queue = get("/api/v1/queue", admin);
    REQUIRE(queue.status == 200);
    std::set<std::int64_t> queued;
    const Json queued_tickets = body_json(queue).at("tickets");
    for (const auto& t : queued_tickets) queued.insert(t.at("number").get<std::int64_t>());
    CHECK(queued == acknowledged);
    // Still full: the refused key is refused again, not half-stored.
    CHECK(submit(submissions.back()).status == 503);
    CHECK(server.running());

    // Space comes back: the same key is stored once, without a restart.
    fs::remove(filler);
    CurlResponse stored;
    CHECK(wait_for([&] { return (stored = submit(submissions.back())).status == 201; }, std::chrono::seconds(20),
                   std::chrono::milliseconds(100)));
    submissions.back().number = body_json(stored).at("number").get<std::int64_t>();
    // Every key sent again is its one ticket: acknowledged ones answer 200 with their number.
    std::set<std::int64_t> numbers;
    for (const auto& s : submissions) {
        const auto again = submit(s);
        REQUIRE(again.status == 200);
        CHECK(body_json(again).at("number").get<std::int64_t>() == s.number);
        numbers.insert(s.number);
    }
    CHECK(numbers.size() == submissions.size());

    // And after a stop, the database is whole and holds them all.
    REQUIRE(server.terminate() == 0);
    SqliteFile db((disk.at / "helpline.db").string());
    CHECK(db.value("PRAGMA integrity_check") == "ok");
    CHECK(db.value("SELECT COUNT(*) FROM tickets") == std::to_string(submissions.size()));
}

}  // namespace helpline::test::e2e
