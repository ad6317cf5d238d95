// The customer's requests under faults (issue 19): helpline-cli killed with SIGKILL at
// seeded random moments while it saves and sends requests — 500 times, with the server up
// and, for a stretch, down — and a client whose state folder is on a full disk. Every
// request the customer was told about ("Your request number is N" or "Saved: …") reaches
// the server exactly once once the client runs again; a killed run never makes two
// tickets; a full disk is said to the customer and costs none of the requests already
// saved.
//
// HELPLINE_CLIENT_KILL_ITERATIONS and HELPLINE_FAULT_SEED change the count and the seed.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include "tests/client/submit/cli_fixture.h"

extern char** environ;

namespace helpline::test {
namespace {

using namespace std::chrono_literals;

int env_int(const char* name, int fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

/// `cli request ...` as a process of its own with its output in `out`; killed after `after`
/// unless it ended first. Returns whether it ended by itself.
bool run_and_kill(const StampedCli& cli, const std::string& description, const fs::path& out,
                  std::chrono::microseconds after) {
    std::vector<std::string> argv = {"/usr/bin/env"};
    for (const auto& e : cli.terminal_environment()) argv.push_back(e);
    argv.insert(argv.end(), {cli.binary().string(), "request", "--email", "ana@acme.example", "--group",
                             "helpdesk", "--description", description, "--wait", "0"});
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    const auto deadline = std::chrono::steady_clock::now() + after;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid, &status, WNOHANG) == pid) return true;
        std::this_thread::sleep_for(200us);  // the fault's moment, polled: not a wait for a state
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return false;
}

/// What the customer was told: the ticket's number, 0 for "Saved: …", nullopt for nothing.
std::optional<std::int64_t> told(const fs::path& out) {
    const std::string text = read_text(out);
    std::smatch m;
    if (std::regex_search(text, m, std::regex(R"(Your request number is (\d+))"))) return std::stoll(m[1]);
    if (text.find("Saved: your request will be sent") != std::string::npos) return 0;
    return std::nullopt;
}

}  // namespace

TEST_CASE("helpline-cli killed at random points 500 times: every request it told of arrives once, none twice") {
    const int iterations = env_int("HELPLINE_CLIENT_KILL_ITERATIONS", 500);
    const auto seed = static_cast<std::uint32_t>(env_int("HELPLINE_FAULT_SEED", 19));
    INFO("seed " << seed << " (HELPLINE_FAULT_SEED), " << iterations << " iterations");
    std::mt19937 rng(seed);

    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start({"--submit-limit", "100000", "--register-limit", "100000"});
    StampedCli cli(demo_profile(server.url()));
    REQUIRE(cli.status().at("registered") == true);
    TempDir outputs;

    // How long a run takes here (a sanitized build is slower): kills land anywhere in it.
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(run_and_kill(cli, "calibration", outputs / "calibration", 30s));
    const auto run_time = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    REQUIRE(told(outputs / "calibration").value_or(0) > 0);

    std::map<std::string, std::optional<std::int64_t>> told_of;  // description -> what the customer was told
    int killed = 0;
    const int down_from = iterations * 2 / 5, down_to = iterations * 3 / 5;  // the server away meanwhile
    for (int i = 0; i < iterations; ++i) {
        if (i == down_from) REQUIRE(server.terminate() == 0);
        if (i == down_to) server.start();
        const std::string description = "Kill test " + std::to_string(i);
        const auto after = std::chrono::microseconds(rng() % static_cast<std::uint32_t>(run_time.count() * 3 / 2 + 1));
        const auto out = outputs / ("run-" + std::to_string(i));
        if (!run_and_kill(cli, description, out, after)) ++killed;
        told_of[description] = told(out);
    }
    INFO(killed << " of " << iterations << " runs killed; a run took " << run_time.count() / 1000 << " ms");
    CHECK(killed > iterations / 4);
    CHECK(killed < iterations);

    // The next runs send what is saved, until nothing is left (bounded).
    for (int tries = 0; tries < 20 && !cli.outbox_files().empty(); ++tries) cli.run({"status"});
    CHECK(cli.outbox_files().empty());

    // On the server: no description twice; every one the customer was told of, once, with
    // the number the customer was given.
    std::map<std::string, std::vector<std::int64_t>> on_server;
    for (const auto& t : queue_of(server))
        on_server[t.at("description").get<std::string>()].push_back(t.at("number").get<std::int64_t>());
    int told_count = 0, saved_only = 0;
    for (const auto& [description, numbers] : on_server) {
        INFO(description);
        CHECK(numbers.size() == 1);
    }
    for (const auto& [description, what] : told_of) {
        if (!what) continue;
        INFO(description);
        ++told_count;
        if (*what == 0) ++saved_only;
        REQUIRE(on_server.count(description) == 1);
        if (*what > 0) CHECK(on_server.at(description).front() == *what);
    }
    CHECK(saved_only > 0);  // the server-down stretch told some "Saved"
    std::cout << iterations << " client kills (seed " << seed << "): " << killed << " killed mid-run, " << told_count
              << " told (" << saved_only << " as saved), " << on_server.size() - 1
              << " tickets besides the calibration's; none lost, none duplicated\n";
}

TEST_CASE("on a full disk helpline-cli says so, and keeps and later sends the requests it had saved",
          "[fault]") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    REQUIRE(cli.status().at("registered") == true);

    // The client's state folder on a small tmpfs (CI runs as root).
    const fs::path state = cli.xdg("state");
    const fs::path kept = cli.dir() / "state-before";
    fs::rename(state, kept);
    fs::create_directories(state);
    const auto mounted = run_program({"/bin/mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", state.string()});
    INFO(mounted.err);
    REQUIRE(mounted.exit_code == 0);
    struct Unmount {
        fs::path at;
        ~Unmount() { run_program({"/bin/umount", "-l", at.string()}); }
    } unmount{state};
    fs::copy(kept, state, fs::copy_options::recursive);

    // A request saved while the server is away stays in the outbox.
    REQUIRE(server.terminate() == 0);
    auto saved = cli.run({"request", "--email", "ana@acme.example", "--description", "Saved before the disk filled"});
    INFO(saved.out << saved.err);
    REQUIRE(saved.exit_code == 5);
    REQUIRE(cli.outbox_files().size() == 1);
    const std::string entry = read_text(cli.outbox_files().front());

    // The disk fills up: a new request cannot be saved, and the customer is told so.
    const fs::path filler = state / "filler";
    {
        const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        REQUIRE(fd >= 0);
        const std::string chunk(16 * 1024, 'x');
        while (::write(fd, chunk.data(), chunk.size()) > 0) {
        }
        CHECK(errno == ENOSPC);
        ::close(fd);
    }
    server.start();
    auto full = cli.run({"request", "--email", "ana@acme.example", "--description", "Written on a full disk"});
    INFO(full.out << full.err);
    CHECK(full.exit_code == 1);
    CHECK_THAT(full.err, Catch::Contains("Your request could not be saved, so it was not sent") &&
                             Catch::Contains("No space left on device") &&
                             Catch::Contains("The disk is full: free some space, then send it again."));
    // What was saved before is untouched (it may have been sent on this run: then it is on
    // the server).
    const auto files = cli.outbox_files();
    if (!files.empty()) CHECK(read_text(files.front()) == entry);

    // Space comes back: the next run sends what was saved; the request never saved is not
    // on the server (the customer was told it was not sent).
    fs::remove(filler);
    auto next = cli.run({"status"});
    INFO(next.out << next.err);
    CHECK(next.exit_code == 0);
    CHECK(cli.outbox_files().empty());
    const auto queue = queue_of(server);
    REQUIRE(queue.size() == 1);
    CHECK(queue[0].at("description") == "Saved before the disk filled");
}

}  // namespace helpline::test
