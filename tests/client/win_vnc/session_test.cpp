// helpline-win-vnc's session without Windows: the real libvncserver server on 127.0.0.1, a
// painted picture for the screen and a recorder for the input, and the tests' RFB viewer over
// TCP. What the Windows program adds (GDI, SendInput) is tested under Wine (wine_test.cpp).

#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "client/win_vnc/pointer_mapping.h"
#include "client/win_vnc/session.h"
#include "tests/client/session/session_support.h"
#include "tests/client/vnc_auth/rfb_tcp_viewer.h"
#include "tests/client/win_vnc/input_event_text.h"
#include "tests/support/fixtures.h"

namespace helpline::test {
namespace {

using namespace std::chrono_literals;
using win_vnc::InputEvent;
namespace mouse_flag = win_vnc::mouse_flag;

constexpr std::uint32_t kRed = 0xff0000, kGreen = 0x00ff00, kBlue = 0x0000ff, kWhite = 0xffffff;
const std::string kPassword = "Ab3dEf9h";

/// A 320×200 desktop: four quadrants of known colours, repainted at will by the test.
class PaintedScreen final : public win_vnc::FrameSource {
  public:
    PaintedScreen() : picture_(std::size_t{kWidth} * kHeight * 4) {
        paint(0, 0, 160, 100, kRed);
        paint(160, 0, 160, 100, kGreen);
        paint(0, 100, 160, 100, kBlue);
        paint(160, 100, 160, 100, kWhite);
    }
    static constexpr int kWidth = 320, kHeight = 200;

    void paint(int x0, int y0, int w, int h, std::uint32_t rgb) {
        std::lock_guard lock(mutex_);
        for (int y = y0; y < y0 + h; ++y)
            for (int x = x0; x < x0 + w; ++x) {
                auto* p = &picture_[(std::size_t(y) * kWidth + x) * 4];
                p[0] = static_cast<std::uint8_t>(rgb);  // blue, green, red, as GDI has it
                p[1] = static_cast<std::uint8_t>(rgb >> 8);
                p[2] = static_cast<std::uint8_t>(rgb >> 16);
                p[3] = 0;
            }
    }
    void set_readable(bool readable) { readable_ = readable; }
    int captures() const { return captures_; }

    Result<win_vnc::FrameView> capture() override {
        ++captures_;
        if (!readable_) return make_error("capture", "the secure desktop is shown");
        std::lock_guard lock(mutex_);
        copy_ = picture_;
        return win_vnc::FrameView{copy_.data(), kWidth, kHeight, kWidth * 4};
    }

  private:
    std::mutex mutex_;
    std::vector<std::uint8_t> picture_;
    std::vector<std::uint8_t> copy_;  ///< what the last capture returned
    std::atomic<bool> readable_{true};
    std::atomic<int> captures_{0};
};

class RecordedInput final : public win_vnc::InputSink {
  public:
    void send(std::span<const InputEvent> events) override {
        std::lock_guard lock(mutex_);
        events_.insert(events_.end(), events.begin(), events.end());
    }
    std::vector<InputEvent> events() {
        std::lock_guard lock(mutex_);
        return events_;
    }
    bool received(const InputEvent& event) {
        const auto all = events();
        return std::find(all.begin(), all.end(), event) != all.end();
    }

  private:
    std::mutex mutex_;
    std::vector<InputEvent> events_;
};

/// run_session on a thread of its own, stopped and joined at scope end.
class Session {
  public:
    explicit Session(std::uint16_t port = free_loopback_port(), int max_fps = 30) : port_(port) {
        win_vnc::SessionOptions options;
        options.port = port;
        options.password = kPassword;
        options.max_fps = max_fps;
        status_ = std::async(std::launch::async, [this, options] {
            return win_vnc::run_session(options, screen, input, stop_, [this](const std::string& line) {
                std::lock_guard lock(log_mutex_);
                log_ += line + "\n";
            });
        });
    }
    ~Session() {
        stop_ = true;
        (void)ended(std::chrono::seconds(10));
    }
    std::uint16_t port() const { return port_; }
    bool listening() { return !listening_addresses(port_).empty(); }
    void stop() { stop_ = true; }
    /// The exit status, once it has ended within `timeout`.
    std::optional<int> ended(std::chrono::milliseconds timeout) {
        if (!result_ && status_.wait_for(timeout) == std::future_status::ready)
            result_ = status_.get();
        return result_;
    }
    std::string log() {
        std::lock_guard lock(log_mutex_);
        return log_;
    }

    PaintedScreen screen;
    RecordedInput input;

  private:
    std::uint16_t port_;
    std::atomic<bool> stop_{false};
    std::mutex log_mutex_;
    std::string log_;
    std::future<int> status_;
    std::optional<int> result_;
};

/// A viewer logged in with the password.
std::unique_ptr<RfbTcpViewer> logged_in(Session& session) {
    REQUIRE(wait_for([&] { return session.listening(); }, 10s));
    auto viewer = std::make_unique<RfbTcpViewer>(session.port());
    REQUIRE(viewer->connected());
    const RfbLogin login = viewer->login(kPassword);
    INFO(login.reason);
    REQUIRE(login.ok);
    return viewer;
}

}  // namespace

TEST_CASE("a viewer with the one-time password sees the desktop, in its colours and at its "
          "places, and the port is on 127.0.0.1 only",
          "[win_vnc]") {
    Session session;
    REQUIRE(wait_for([&] { return session.listening(); }, 10s));
    CHECK(listening_addresses(session.port()) == std::vector<std::string>{"0100007F"});
    auto viewer = logged_in(session);
    const RfbFrame frame = viewer->read_screen();
    CHECK(frame.width == 320);
    CHECK(frame.height == 200);
    CHECK(frame.name == "Helpline");
    CHECK(frame.depth == 24);
    CHECK(frame.true_colour == 1);
    CHECK(frame.at(10, 10) == kRed);
    CHECK(frame.at(310, 10) == kGreen);
    CHECK(frame.at(10, 190) == kBlue);
    CHECK(frame.at(310, 190) == kWhite);
    CHECK(frame.at(159, 99) == kRed);
    CHECK(frame.at(160, 100) == kWhite);
}

TEST_CASE("what changes on the screen reaches the viewer, and nothing is captured while nobody "
          "watches",
          "[win_vnc]") {
    Session session;
    REQUIRE(wait_for([&] { return session.listening(); }, 10s));
    std::this_thread::sleep_for(200ms);  // a time in which a watched screen is captured 6 times
    CHECK(session.screen.captures() == 1);  // the first picture only
    auto viewer = logged_in(session);
    RfbFrame frame = viewer->read_screen();
    session.screen.paint(100, 50, 20, 20, kGreen);
    CHECK(wait_for([&] { return viewer->read_changes(frame, 200ms) && frame.at(110, 60) == kGreen; },
                   10s));
    CHECK(frame.at(99, 50) == kRed);
}

TEST_CASE("the viewer's pointer and keys become Windows input", "[win_vnc]") {
    Session session;
    auto viewer = logged_in(session);
    (void)viewer->read_screen();
    viewer->rfb().pointer(160, 100, 0x01);
    viewer->rfb().pointer(160, 100, 0x00);
    viewer->rfb().key('a');
    viewer->rfb().key(0xff0d);  // Return
    const std::vector<InputEvent> expected = {
        InputEvent::mouse(mouse_flag::kMove | mouse_flag::kAbsolute | mouse_flag::kVirtualDesk,
                          win_vnc::normalised(160, 320), win_vnc::normalised(100, 200)),
        InputEvent::mouse(mouse_flag::kLeftDown),
        InputEvent::mouse(mouse_flag::kLeftUp),
        InputEvent::unicode('a', false),
        InputEvent::unicode('a', true),
        InputEvent::key(0x0d, 0),
        InputEvent::key(0x0d, win_vnc::key_flag::kUp),
    };
    CHECK(wait_for([&] { return session.input.events().size() >= expected.size(); }, 10s));
    CHECK(session.input.events() == expected);
}

TEST_CASE("a connection that leaves without logging in (the launcher's readiness probe) does "
          "not end the session, but the viewer leaving does, releasing what it held",
          "[win_vnc]") {
    Session session;
    REQUIRE(wait_for([&] { return session.listening(); }, 10s));
    for (int i = 0; i < 3; ++i) {
        const int probe = connect_loopback(session.port());
        REQUIRE(probe >= 0);
        ::close(probe);
    }
    CHECK_FALSE(session.ended(300ms).has_value());

    auto viewer = logged_in(session);
    (void)viewer->read_screen();
    viewer->rfb().pointer(5, 5, 0x04);  // the right button, held
    REQUIRE(wait_for([&] { return session.input.received(InputEvent::mouse(mouse_flag::kRightDown)); },
                     10s));
    viewer->close();
    CHECK(session.ended(2s) == std::optional<int>(win_vnc::exit_status::kEnded));
    CHECK(session.input.events().back() == InputEvent::mouse(mouse_flag::kRightUp));
    CHECK(listening_addresses(session.port()).empty());
    CHECK_THAT(session.log(), Catch::Contains("The viewer left."));
}

TEST_CASE("a wrong password is refused with a reason, and the third ends the session", "[win_vnc]") {
    Session session;
    REQUIRE(wait_for([&] { return session.listening(); }, 10s));
    for (int attempt = 1; attempt <= 3; ++attempt) {
        RfbTcpViewer viewer(session.port());
        REQUIRE(viewer.connected());
        const RfbLogin login = viewer.login("wrong123");
        CHECK_FALSE(login.ok);
        CHECK_FALSE(login.reason.empty());
        if (attempt < 3) CHECK_FALSE(session.ended(100ms).has_value());
    }
    CHECK(session.ended(2s) == std::optional<int>(win_vnc::exit_status::kError));
    CHECK_THAT(session.log(), Catch::Contains("3 wrong VNC passwords"));
    CHECK(session.input.events().empty());
}

TEST_CASE("while a viewer is in, another connection is closed at once and the viewer stays",
          "[win_vnc]") {
    Session session;
    auto viewer = logged_in(session);
    RfbFrame frame = viewer->read_screen();
    const int second = connect_loopback(session.port());
    REQUIRE(second >= 0);
    std::string said;
    CHECK(wait_eof(second, 5s, &said));
    ::close(second);
    CHECK(said.find("RFB") == 0);  // at most the version: never a challenge
    CHECK(said.size() <= 12);
    session.screen.paint(0, 0, 10, 10, kWhite);
    CHECK(wait_for([&] { return viewer->read_changes(frame, 200ms) && frame.at(5, 5) == kWhite; },
                   10s));
}

TEST_CASE("told to stop, it closes the port and ends at once", "[win_vnc]") {
    Session session;
    auto viewer = logged_in(session);
    (void)viewer->read_screen();
    const auto asked = std::chrono::steady_clock::now();
    session.stop();
    CHECK(session.ended(1s) == std::optional<int>(win_vnc::exit_status::kEnded));
    CHECK(std::chrono::steady_clock::now() - asked < 500ms);
    CHECK(wait_eof(viewer->fd(), 2s));
    CHECK(listening_addresses(session.port()).empty());
}

TEST_CASE("a port another program listens on is an error that says so", "[win_vnc]") {
    Listener taken;
    Session session(taken.port());
    CHECK(session.ended(5s) == std::optional<int>(win_vnc::exit_status::kError));
    CHECK_THAT(session.log(),
               Catch::Contains("Could not listen on 127.0.0.1:" + std::to_string(taken.port())));
}

TEST_CASE("a screen that cannot be read at the start makes it exit 4: this desktop offers "
          "nothing to share",
          "[win_vnc]") {
    win_vnc::SessionOptions options;
    options.port = free_loopback_port();
    options.password = kPassword;
    PaintedScreen screen;
    screen.set_readable(false);
    RecordedInput input;
    std::atomic<bool> stop{false};
    std::string log;
    CHECK(win_vnc::run_session(options, screen, input, stop,
                               [&](const std::string& line) { log += line; }) ==
          win_vnc::exit_status::kUnavailable);
    CHECK_THAT(log, Catch::Contains("The screen cannot be read: the secure desktop is shown"));
}

TEST_CASE("while the screen cannot be read the viewer keeps the last picture, and gets the "
          "new one once it can",
          "[win_vnc]") {
    Session session;
    auto viewer = logged_in(session);
    RfbFrame frame = viewer->read_screen();
    session.screen.set_readable(false);
    session.screen.paint(0, 0, 320, 200, kBlue);
    CHECK_FALSE(viewer->read_changes(frame, 300ms));
    CHECK(frame.at(10, 10) == kRed);
    session.screen.set_readable(true);
    CHECK(wait_for([&] { return viewer->read_changes(frame, 200ms) && frame.at(10, 10) == kBlue; },
                   10s));
    CHECK_THAT(session.log(), Catch::Contains("The screen can be read again."));
}

}  // namespace helpline::test
