// helpline-win-vnc.exe itself, under Wine on a private Xvfb (label "wine"): a Win32 test
// window (test_window.c) shows four colours at a known place and records the input it gets;
// the program, from the `windows` preset's build, serves the screen on 127.0.0.1 with a
// one-time password file, and the tests' RFB viewer logs in over TCP as the relay tunnel
// would. It must show the window's pixels where they are, refuse a wrong password, deliver a
// click and keys to the window, listen on 127.0.0.1 only, and be gone within 2 s when its
// viewer leaves or it is stopped.
//
// One Wine prefix and one test window serve every case (a prefix takes ~10 s to make), so
// this runs as one ctest entry.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>

#include "client/core/spawn.h"
#include "tests/client/session/session_support.h"
#include "tests/client/vnc_auth/rfb_tcp_viewer.h"
#include "tests/support/fixtures.h"

namespace helpline::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const fs::path kProgram = HELPLINE_WIN_VNC_EXE;
const fs::path kTestWindow = HELPLINE_WIN_VNC_TEST_WINDOW;
const std::string kWine = HELPLINE_WINE;
const std::string kWineserver = HELPLINE_WINESERVER;
constexpr std::uint32_t kRed = 0xff0000, kGreen = 0x00ff00, kBlue = 0x0000ff, kWhite = 0xffffff;
constexpr std::uint32_t kBlack = 0;
/// test_window.c's place on the screen.
constexpr std::uint32_t kLeft = 40, kTop = 40, kWidth = 320, kHeight = 240;
const std::string kPassword = "W1nVnc42";

/// `<build>/screenshots/name`, the folder made.
fs::path screenshot(const std::string& name) {
    const fs::path dir = HELPLINE_SCREENSHOTS_DIR;
    fs::create_directories(dir);
    return dir / name;
}

/// The frame as a PPM picture, to look at.
void write_ppm(const RfbFrame& frame, const fs::path& path) {
    std::string out = "P6\n" + std::to_string(frame.width) + " " + std::to_string(frame.height) +
                      "\n255\n";
    for (std::uint32_t pixel : frame.pixels) {
        out += static_cast<char>((pixel >> 16) & 0xff);
        out += static_cast<char>((pixel >> 8) & 0xff);
        out += static_cast<char>(pixel & 0xff);
    }
    write_text(path, out);
}

/// How a Windows program under Wine names a Linux path: the root is drive Z:.
std::string windows_path(const fs::path& path) {
    std::string text = "Z:" + path.string();
    std::replace(text.begin(), text.end(), '/', '\\');
    return text;
}

void require_program() {
    if (!fs::exists(kProgram))
        FAIL("helpline-win-vnc.exe is not built at " << kProgram.string()
             << ": run scripts/windows-build (or cmake --build <the windows build> --target "
                "helpline-win-vnc), or point HELPLINE_WINDOWS_BUILD_DIR at the `windows` "
                "preset's build folder and configure again");
}

struct Started {
    std::unique_ptr<client::ChildProcess> process;
    fs::path output;
    std::string said() const { return read_text(output); }
};

/// `wine PROGRAM ARGS...` in a process group of its own, output to a file.
Started start_wine(const fs::path& dir, const std::string& name,
                   std::vector<std::string> arguments) {
    client::SpawnOptions spawn;
    spawn.executable = kWine;
    spawn.argv = {"wine"};
    spawn.argv.insert(spawn.argv.end(), arguments.begin(), arguments.end());
    spawn.output = dir / (name + ".out");
    auto process = client::ChildProcess::spawn(spawn);
    INFO((process ? "" : process.error().message));
    REQUIRE(process.ok());
    return Started{std::move(*process), spawn.output};
}

/// A private Xvfb (640×480) with a Wine prefix of its own and the test window on it, made on
/// first use and kept for every case; Wine's processes are ended at exit.
class WineDesktop {
  public:
    static WineDesktop& get() {
        static WineDesktop desktop;
        return desktop;
    }
    const fs::path& dir() const { return temp_.path(); }
    /// What the test window has recorded so far.
    std::string events() const { return read_text(events_); }
    /// Whether the test window recorded `line` after the first `mark` characters.
    bool recorded(const std::string& line, std::size_t mark = 0) const {
        const std::string all = events();
        return ("\n" + all.substr(std::min(mark, all.size()))).find("\n" + line + "\n") !=
               std::string::npos;
    }
    /// Waits until the test window records `line` (after `mark`); says what it did record
    /// when it does not.
    bool wait_recorded(const std::string& line, std::size_t mark,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
        if (wait_for([&] { return recorded(line, mark); }, timeout)) return true;
        const std::string all = events();
        UNSCOPED_INFO("the test window recorded no '" << line << "', only:\n"
                                                      << all.substr(std::min(mark, all.size())));
        return false;
    }

    WineDesktop(const WineDesktop&) = delete;
    WineDesktop& operator=(const WineDesktop&) = delete;

  private:
    WineDesktop() {
        REQUIRE(xvfb_.running());
        // For this process and what it starts: Wine's programs see this display and prefix.
        ::setenv("DISPLAY", xvfb_.display().c_str(), 1);
        ::setenv("WINEPREFIX", (dir() / "wine").c_str(), 1);
        ::setenv("WINEDEBUG", "-all", 1);
        ::setenv("WINEDLLOVERRIDES", "mscoree,mshtml=", 1);
        // The prefix first (~10 s, more on a busy machine), and its server gone again, so that
        // every program of the tests starts into a prefix that is ready.
        Started boot = start_wine(dir(), "wineboot", {"wineboot", "--init"});
        REQUIRE(wait_for([&] { return boot.process->exited(); }, 180s, 100ms));
        stop_wine();
        events_ = dir() / "window-events.txt";
        window_ = start_wine(dir(), "test-window", {kTestWindow.string(), windows_path(events_)});
        INFO(window_.said());
        REQUIRE(wait_for([&] { return recorded("ready") || window_.process->exited(); }, 180s,
                         100ms));
        REQUIRE(recorded("ready"));
    }
    ~WineDesktop() {
        stop_wine();
        window_.process.reset();
    }

  private:
    /// The processes of this prefix's Wine (found by their WINEPREFIX), zombies aside.
    std::vector<int> wine_processes() const {
        const std::string nul(1, '\0');
        const std::string ours = nul + "WINEPREFIX=" + (dir() / "wine").string() + nul;
        std::vector<int> found;
        for (const ProcessInfo& p : list_processes()) {
            if (p.pid == ::getpid() || p.state == 'Z') continue;
            if ((nul + read_text("/proc/" + std::to_string(p.pid) + "/environ")).find(ours) !=
                std::string::npos)
                found.push_back(p.pid);
        }
        return found;
    }
    /// Ends every Wine process of the prefix and its server, and waits until they are gone.
    /// Not `wineserver -w`: run when the server has just gone, it starts a new one (which
    /// the next Wine program joined, and which then died under it). What Wine's own ending
    /// leaves (system processes have been seen to outlive their server) is killed.
    void stop_wine() {
        client::SpawnOptions spawn;
        spawn.executable = kWineserver;
        spawn.argv = {"wineserver", "-k"};
        if (auto kill = client::ChildProcess::spawn(spawn))
            wait_for([&] { return (*kill)->exited(); }, 20s, 50ms);
        if (!wait_for([&] { return wine_processes().empty(); }, 10s, 50ms))
            for (int pid : wine_processes()) ::kill(pid, SIGKILL);
        wait_for([&] { return wine_processes().empty(); }, 5s, 50ms);
    }

    TempDir temp_;
    Xvfb xvfb_;
    fs::path events_;
    Started window_;
};

/// helpline-win-vnc.exe on a free port with a new password file, listening.
class Backend {
  public:
    explicit Backend(WineDesktop& desktop, const std::string& password = kPassword)
        : port_(free_loopback_port()) {
        password_file_ = desktop.dir() / ("vnc-password-" + std::to_string(port_));
        write_text(password_file_, password + "\n");
        started_ = start_wine(desktop.dir(), "backend-" + std::to_string(port_),
                              {kProgram.string(), "--port", std::to_string(port_),
                               "--password-file", windows_path(password_file_)});
        INFO(said());
        REQUIRE(wait_for([&] { return listening() || exited(); }, 60s, 50ms));
        REQUIRE(listening());
    }
    std::uint16_t port() const { return port_; }
    const fs::path& password_file() const { return password_file_; }
    bool listening() const { return !listening_addresses(port_).empty(); }
    bool exited() { return started_.process->exited(); }
    std::optional<int> exit_status() { return started_.process->exit_status(); }
    int pid() const { return started_.process->pid(); }
    std::string said() const { return started_.said(); }
    void stop(std::chrono::milliseconds grace) { started_.process->stop(grace); }

  private:
    std::uint16_t port_;
    fs::path password_file_;
    Started started_;
};

std::unique_ptr<RfbTcpViewer> logged_in(const Backend& backend) {
    auto viewer = std::make_unique<RfbTcpViewer>(backend.port());
    REQUIRE(viewer->connected());
    const RfbLogin login = viewer->login(kPassword);
    INFO(login.reason << "\n" << backend.said());
    REQUIRE(login.ok);
    return viewer;
}

/// Whether a TCP connection to `address`:`port` (IPv4 or IPv6 text) is accepted.
bool accepts(const std::string& address, std::uint16_t port) {
    sockaddr_storage storage{};
    socklen_t size = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        size = sizeof *v4;
    } else {
        REQUIRE(::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        size = sizeof *v6;
    }
    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    const bool connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&storage), size) == 0;
    ::close(fd);
    return connected;
}

}  // namespace

// Every case that needs input delivered runs in the first program of the prefix: under Wine 8
// on this machine the prefix's wineserver now and then exited right after one of the programs
// did (~1 run in 10; the next program then starts a server of its own, where the test window
// is not), which only input can notice. On Windows none of this applies.
TEST_CASE("under Wine, a click and keys sent through RFB reach the test window, and asked to stop "
          "(Ctrl+C here, Ctrl+Break from the launcher) it releases a key the viewer held, closes "
          "the viewer's connection and exits 0 within 2 s",
          "[wine]") {
    require_program();
    WineDesktop& desktop = WineDesktop::get();
    Backend backend(desktop);
    auto viewer = logged_in(backend);
    RfbFrame frame = viewer->read_screen();
    std::size_t mark = desktop.events().size();
    // A click in the blue quadrant.
    viewer->rfb().pointer(kLeft + 77, kTop + 201);
    viewer->rfb().pointer(kLeft + 77, kTop + 201, 0x01);
    viewer->rfb().pointer(kLeft + 77, kTop + 201, 0x00);
    const std::string where = std::to_string(kLeft + 77) + " " + std::to_string(kTop + 201);
    CHECK(desktop.wait_recorded("button left up " + where, mark));
    CHECK(desktop.recorded("button left down " + where, mark));
    // The cursor is drawn into the picture where the pointer is (its arrow's tip at the
    // hotspot), and the quadrant around it is still blue.
    const auto cursor_shown = [&] {
        for (std::uint32_t y = kTop + 201; y < kTop + 213; ++y)
            for (std::uint32_t x = kLeft + 77; x < kLeft + 85; ++x)
                if (frame.at(x, y) != kBlue) return true;
        return false;
    };
    CHECK(wait_for([&] { return viewer->read_changes(frame, 200ms) && cursor_shown(); }, 10s));
    write_ppm(frame, screenshot("win_vnc_wine_viewer.ppm"));
    CHECK(frame.at(kLeft + 60, kTop + 190) == kBlue);

    // The window has the focus: a letter, a Latin-1 letter, and Return.
    mark = desktop.events().size();
    viewer->rfb().key('a');
    viewer->rfb().key(0xe9);    // eacute
    viewer->rfb().key(0xff0d);  // Return
    CHECK(desktop.wait_recorded("keyup d", mark));
    INFO(desktop.events().substr(mark));
    CHECK(desktop.recorded("char 61", mark));
    CHECK(desktop.recorded("char e9", mark));
    CHECK(desktop.recorded("keydown d", mark));

    // Shift pressed and never released: a KeyEvent message of its own (down, Shift_L).
    mark = desktop.events().size();
    const std::string shift_down("\x04\x01\x00\x00\x00\x00\xff\xe1", 8);
    REQUIRE(::send(viewer->fd(), shift_down.data(), shift_down.size(), MSG_NOSIGNAL) == 8);
    REQUIRE(desktop.wait_recorded("keydown 10", mark));
    // Wine turns SIGINT into the console's Ctrl+C event, which the program handles as it
    // handles the launcher's Ctrl+Break.
    const auto asked = Clock::now();
    REQUIRE(::kill(backend.pid(), SIGINT) == 0);
    CHECK(wait_for([&] { return backend.exited(); }, 2s));
    INFO("exited after "
         << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - asked).count()
         << " ms; it said: " << backend.said());
    CHECK(backend.exit_status() == std::optional<int>(0));
    CHECK(wait_eof(viewer->fd(), 2s));
    CHECK(desktop.recorded("keyup 10", mark));
    CHECK_THAT(backend.said(), Catch::Contains("The session has ended."));
}

TEST_CASE("under Wine, a viewer with the one-time password sees the test window's colours at "
          "its place, the password file is gone, the port is on 127.0.0.1 only, a wrong "
          "password is refused, and the viewer leaving ends it (exit 0) within 2 s",
          "[wine]") {
    require_program();
    WineDesktop& desktop = WineDesktop::get();
    Backend backend(desktop);
    CHECK_FALSE(fs::exists(backend.password_file()));  // read and deleted at once
    CHECK(listening_addresses(backend.port()) == std::vector<std::string>{"0100007F"});
    CHECK_FALSE(accepts("127.0.0.2", backend.port()));
    CHECK_FALSE(accepts("::1", backend.port()));
    {
        RfbTcpViewer wrong(backend.port());
        REQUIRE(wrong.connected());
        const RfbLogin login = wrong.login("guess123");
        CHECK_FALSE(login.ok);
        CHECK_FALSE(login.reason.empty());
    }

    auto viewer = logged_in(backend);
    const RfbFrame frame = viewer->read_screen();
    INFO(backend.said());
    CHECK(frame.width == 640);
    CHECK(frame.height == 480);
    CHECK(frame.name == "Helpline");
    // Wine 8 makes a Direct3D 11 device but has no Desktop Duplication: the program says so
    // and reads the screen through GDI (on Windows it reads it through DXGI).
    CHECK_THAT(backend.said(), Catch::Contains("The screen is read through GDI: A monitor cannot be duplicated."));
    // The quadrants, and the window's edges exactly where the window is.
    CHECK(frame.at(kLeft + 80, kTop + 60) == kRed);
    CHECK(frame.at(kLeft + 240, kTop + 60) == kGreen);
    CHECK(frame.at(kLeft + 80, kTop + 180) == kBlue);
    CHECK(frame.at(kLeft + 240, kTop + 180) == kWhite);
    CHECK(frame.at(kLeft, kTop) == kRed);
    CHECK(frame.at(kLeft - 1, kTop - 1) == kBlack);
    CHECK(frame.at(kLeft + kWidth - 1, kTop + kHeight / 2 - 1) == kGreen);
    CHECK(frame.at(kLeft + kWidth, kTop + 10) == kBlack);
    CHECK(frame.at(kLeft + 10, kTop + kHeight - 1) == kBlue);
    CHECK(frame.at(kLeft + 10, kTop + kHeight) == kBlack);
    CHECK(frame.at(600, 440) == kBlack);

    viewer->close();
    const auto left = Clock::now();
    CHECK(wait_for([&] { return backend.exited(); }, 2s));
    INFO("gone after "
         << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - left).count()
         << " ms; it said: " << backend.said());
    CHECK(backend.exit_status() == std::optional<int>(0));
    CHECK_THAT(backend.said(), Catch::Contains("The viewer left."));
    CHECK_FALSE(backend.listening());
}

TEST_CASE("under Wine, bad arguments exit 2 and a port another program holds exits 1, each "
          "saying why",
          "[wine]") {
    require_program();
    WineDesktop& desktop = WineDesktop::get();
    Started bad = start_wine(desktop.dir(), "bad-arguments", {kProgram.string(), "--port", "0"});
    REQUIRE(wait_for([&] { return bad.process->exited(); }, 60s));
    CHECK(bad.process->exit_status() == std::optional<int>(2));
    CHECK_THAT(bad.said(), Catch::Contains("--port: Value 0 not in range"));

    Listener taken;
    const fs::path file = desktop.dir() / "vnc-password-taken";
    write_text(file, kPassword + "\n");
    Started busy = start_wine(desktop.dir(), "port-taken",
                              {kProgram.string(), "--port", std::to_string(taken.port()),
                               "--password-file", windows_path(file)});
    REQUIRE(wait_for([&] { return busy.process->exited(); }, 60s));
    CHECK(busy.process->exit_status() == std::optional<int>(1));
    CHECK_THAT(busy.said(),
               Catch::Contains("Could not listen on 127.0.0.1:" + std::to_string(taken.port())));
    CHECK_FALSE(fs::exists(file));

    Started missing = start_wine(desktop.dir(), "no-password-file",
                                 {kProgram.string(), "--port", "5999", "--password-file",
                                  windows_path(desktop.dir() / "none")});
    REQUIRE(wait_for([&] { return missing.process->exited(); }, 60s));
    CHECK(missing.process->exit_status() == std::optional<int>(2));
    CHECK_THAT(missing.said(), Catch::Contains("cannot be opened"));
}

TEST_CASE("under Wine, ended outright while a viewer watches, it is gone within 2 s and its "
          "port with it",
          "[wine]") {
    require_program();
    Backend backend(WineDesktop::get());
    auto viewer = logged_in(backend);
    (void)viewer->read_screen();
    // Killed, as the client's launcher ends its Job Object.
    const auto stopped = Clock::now();
    backend.stop(0ms);
    CHECK(wait_for([&] { return process_dead(backend.pid()) && !backend.listening(); }, 2s));
    CHECK(Clock::now() - stopped < 2s);
    // Not checked here: that the viewer's connection closes. Windows closes a terminated
    // process's sockets with it; Wine's server sometimes keeps a killed process's accepted
    // socket open for many seconds (seen under Wine 8). The graceful stop below checks it.
}

}  // namespace helpline::test
