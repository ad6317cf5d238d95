#include "client/win_vnc/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "client/win_vnc/key_mapping.h"
#include "client/win_vnc/pointer_mapping.h"
#include "client/win_vnc/rfb_server.h"

namespace helpline::win_vnc {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;

/// How long a wait lasts while nobody watches: the stop request is seen within it.
constexpr std::chrono::milliseconds kIdleWait{50};

void send(InputSink& input, const std::vector<InputEvent>& events) {
    if (!events.empty()) input.send(events);
}

}  // namespace

int run_session(const SessionOptions& options, FrameSource& screen, InputSink& input,
                const std::atomic<bool>& stop, const std::function<void(const std::string&)>& log) {
    // The first picture gives the size; a desktop that cannot be read at all (no interactive
    // desktop in this session) is not one to share.
    auto first = screen.capture();
    if (!first) {
        log(fmt::format("The screen cannot be read: {}", first.error().message));
        return exit_status::kUnavailable;
    }
    int width = first->width, height = first->height;

    KeyMapper keys;
    PointerMapper pointer;
    RfbCallbacks callbacks;
    callbacks.on_pointer = [&](int x, int y, std::uint8_t buttons) {
        send(input, pointer.pointer(x, y, buttons, width, height));
    };
    callbacks.on_key = [&](std::uint32_t keysym, bool down) { send(input, keys.key(keysym, down)); };
    callbacks.on_log = log;
    RfbOptions rfb_options;
    rfb_options.port = options.port;
    rfb_options.password = options.password;
    rfb_options.width = width;
    rfb_options.height = height;
    rfb_options.verbose = options.verbose;
    auto server = RfbServer::start(rfb_options, callbacks);
    if (!server) {
        log(server.error().message);
        return exit_status::kError;
    }
    (*server)->show(*first);
    log(fmt::format("Sharing the screen ({}×{}) on 127.0.0.1:{}.", width, height, options.port));

    const auto period = std::chrono::microseconds(1'000'000 / std::clamp(options.max_fps, 1, 60));
    auto next_capture = Clock::now();
    bool watched = false, unreadable = false;
    int status = exit_status::kEnded;
    while (!stop.load()) {
        const auto now = Clock::now();
        auto wait = std::chrono::duration_cast<microseconds>(kIdleWait);
        if (watched)
            wait = std::clamp(std::chrono::duration_cast<microseconds>(next_capture - now),
                              microseconds(0), wait);
        (*server)->process(wait);
        if ((*server)->viewer_left()) break;
        if ((*server)->locked()) {
            status = exit_status::kError;
            break;
        }
        // Captured only while someone watches; the first capture for a new viewer at once.
        if ((*server)->has_viewer() != watched) {
            watched = !watched;
            next_capture = Clock::now();
        }
        if (!watched || Clock::now() < next_capture) continue;
        next_capture += period;
        if (next_capture < Clock::now()) next_capture = Clock::now() + period;  // fell behind
        auto frame = screen.capture();
        if (!frame) {
            // The secure desktop (UAC, Ctrl+Alt+Del, the lock screen) is out of reach of a
            // program without administrator rights: the viewer keeps the last picture.
            if (!unreadable)
                log(fmt::format("The screen cannot be read now; the viewer sees the last "
                                "picture until it can: {}",
                                frame.error().message));
            unreadable = true;
            continue;
        }
        if (unreadable) log("The screen can be read again.");
        unreadable = false;
        width = frame->width;
        height = frame->height;
        (*server)->show(*frame);
    }
    // Nothing stays pressed on the customer's computer after the viewer has gone.
    send(input, keys.release_all());
    send(input, pointer.release_all());
    server->reset();
    log("The session has ended.");
    return status;
}

}  // namespace helpline::win_vnc
