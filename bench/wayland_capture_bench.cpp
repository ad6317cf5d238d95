// bench/wayland_capture: the Wayland backend helpline-portal-vnc (on a private headless
// GNOME: mutter, PipeWire, the desktop portal) against x11vnc on a private Xvfb, both at
// 1280x800 with the same changing picture (bench/animated_window: every pixel changes at
// 60 Hz, or only --area), both started as the demo profile starts them, in one run.
//
// Frame rate and CPU: a VNC viewer (bench/rfb_bench_viewer.h: VNC authentication with the
// one-time password, raw encoding, 32-bit pixels in --pixels native (the servers' own
// layout: no conversion) or novnc (red first, as the console's noVNC asks: every pixel
// converted), the same for both) keeps one incremental update request outstanding and
// counts the complete FramebufferUpdates it gets in --seconds; the backend's CPU (utime +
// stime from /proc) over the same window, divided by those updates, is its CPU per frame. The
// display server's and the picture program's CPU are shown beside it (mutter's includes its
// screen-cast copy into PipeWire's buffers).
//
// Latency: animated_window switches a 64x64 marker's colour on SIGUSR1 and prints when the
// frame that shows it was handed to the display server (CLOCK_MONOTONIC); the viewer notes
// when the rectangle holding the marker's middle pixel with the new colour has arrived.
// --markers switches per round, each after a random pause of 20-70 ms.
//
// The two desktops run side by side; the one not being measured has its animation stopped
// (SIGUSR2), and the order alternates round by round, so that both see the same machine.
// Targets (issue 15): frame rate >= 0.8x x11vnc's at <= 1.5x its CPU per frame; latency
// p99 <= 100 ms. Exit status 1 when a target is missed (the report says which), 2 on bad
// arguments.
//
// usage: wayland_capture_bench HELPLINE_PORTAL_VNC ANIMATED_WINDOW TESTS_SUPPORT_DIR
//            [--rounds 3] [--seconds 10] [--markers 70] [--area WIDTHxHEIGHT]
//            [--pixels native|novnc]
//            [--max-fps N]   (passed to helpline-portal-vnc; its default otherwise)
//            [--portal-arg ARG]...   (more arguments for helpline-portal-vnc, e.g. --verbose)
//            [--logs DIR]    (the programs' logs go there and stay; else to a temporary folder)

#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <stdexcept>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/capture_desktops.h"
#include "bench/rfb_bench_viewer.h"

namespace fs = std::filesystem;
using namespace helpline::bench;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kUsage =
    "usage: wayland_capture_bench HELPLINE_PORTAL_VNC ANIMATED_WINDOW TESTS_SUPPORT_DIR\n"
    "           [--rounds 3] [--seconds 10] [--markers 70] [--area WIDTHxHEIGHT] [--max-fps N]\n"
    "           [--pixels native|novnc] [--portal-arg ARG]... [--logs DIR]\n";
constexpr std::uint32_t kCyan = 0x00ffff, kMagenta = 0xff00ff;
constexpr double kScreenPixels = 1280.0 * 800.0;
/// A pixel of animated_window's marker (608..671 x 368..431): left of and below the middle,
/// where Xvfb's pointer sits and x11vnc draws it into the picture.
constexpr int kMarkerX = 616, kMarkerY = 424;
/// A pixel of the grey bars, inside --area of any size above 280x100 too.
constexpr int kBarX = 500, kBarY = 400;

std::atomic<bool> interrupted{false};

void on_stop_signal(int) {
    interrupted = true;
}

void check_interrupted() {
    if (interrupted) throw std::runtime_error("interrupted");
}

struct Options {
    CapturePrograms programs;
    int rounds = 3;
    int seconds = 10;
    int markers = 70;
    fs::path logs;  ///< empty: a temporary folder
    RfbPixels pixels = RfbPixels::native;
};

/// What one side measured over all rounds.
struct SideResult {
    double seconds = 0;
    std::uint64_t updates = 0;
    std::uint64_t pixels = 0;
    std::map<std::string, double> cpu;  ///< seconds, by process role
    std::vector<std::string> roles;     ///< in the desktop's order (the backend first)
    std::uint64_t drawn = 0;            ///< frames animated_window drew in the windows
    double drawn_seconds = 0;
    std::vector<double> per_round_fps;
    std::vector<double> latencies_ms;
    int missed = 0;
};

/// A viewer on one desktop, and the desktop.
struct Side {
    std::unique_ptr<CaptureDesktop> desktop;
    std::unique_ptr<RfbBenchViewer> viewer;
    SideResult result;
};

/// Reads updates until `until`, asking for the next one after each; returns how many came.
std::uint64_t pump(RfbBenchViewer& viewer, Clock::time_point until) {
    std::uint64_t count = 0;
    while (Clock::now() < until) {
        check_interrupted();
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        if (auto update = viewer.next_update(std::max(left, 1ms))) {
            ++count;
            viewer.request(true);
        }
    }
    return count;
}

/// Connects, takes the whole screen, and checks that it shows the marker in cyan and the
/// bars in grey: the pixel format and the picture are what both sides are meant to show.
std::unique_ptr<RfbBenchViewer> connect_viewer(CaptureDesktop& desktop, RfbPixels pixels) {
    auto viewer = std::make_unique<RfbBenchViewer>(desktop.port(), desktop.password(), pixels);
    if (viewer->width() != 1280 || viewer->height() != 800)
        throw std::runtime_error(desktop.label() + " serves " + std::to_string(viewer->width()) +
                                 "x" + std::to_string(viewer->height()) + ", not 1280x800");
    viewer->watch(kMarkerX, kMarkerY);
    viewer->request(false);
    const auto grey = [](std::uint32_t p) {
        return p != 0 && (p >> 16) == (p & 0xff) && ((p >> 8) & 0xff) == (p & 0xff);
    };
    const auto deadline = Clock::now() + 10s;
    while (viewer->pixel(kMarkerX, kMarkerY) != kCyan || !grey(viewer->pixel(kBarX, kBarY))) {
        check_interrupted();
        if (Clock::now() > deadline) {
            char seen[96];
            std::snprintf(seen, sizeof seen, "%06x in the marker, %06x on a bar",
                          viewer->pixel(kMarkerX, kMarkerY), viewer->pixel(kBarX, kBarY));
            throw std::runtime_error(desktop.label() +
                                     ": the viewer never saw the cyan marker and a grey bar (" +
                                     seen + ")");
        }
        if (viewer->next_update(100ms)) viewer->request(true);
    }
    return viewer;
}

/// Adds what animated_window drew between `from` and `to` (its once-a-second reports).
void add_drawn_frames(const std::vector<DrawnFrames>& reports, std::int64_t from, std::int64_t to,
                      SideResult& result) {
    const DrawnFrames* first = nullptr;
    const DrawnFrames* last = nullptr;
    for (const auto& r : reports) {
        if (r.at_ns < from || r.at_ns > to) continue;
        if (first == nullptr) first = &r;
        last = &r;
    }
    if (first == nullptr || last == first) return;
    result.drawn += last->frames - first->frames;
    result.drawn_seconds += static_cast<double>(last->at_ns - first->at_ns) / 1e9;
}

std::int64_t now_monotonic_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

/// One round of one side: the frame-rate window, then the markers; the animation runs
/// only meanwhile.
void measure_round(Side& side, const Options& options, std::mt19937& random) {
    CaptureDesktop& desktop = *side.desktop;
    RfbBenchViewer& viewer = *side.viewer;
    SideResult& result = side.result;
    desktop.set_animating(true);
    pump(viewer, Clock::now() + 1s);  // the pipeline settles

    const auto processes = desktop.processes();
    std::vector<double> cpu_before;
    for (const auto& [role, pid] : processes) cpu_before.push_back(process_cpu_seconds(pid));
    const std::int64_t from_ns = now_monotonic_ns();
    const auto start = Clock::now();
    std::uint64_t updates = 0, pixels = 0;
    const auto until = start + std::chrono::seconds(options.seconds);
    while (Clock::now() < until) {
        check_interrupted();
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        if (auto update = viewer.next_update(std::max(left, 1ms))) {
            ++updates;
            pixels += update->pixels;
            viewer.request(true);
        }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const std::int64_t to_ns = now_monotonic_ns();
    result.roles.clear();
    for (std::size_t i = 0; i < processes.size(); ++i) {
        result.roles.push_back(processes[i].first);
        result.cpu[processes[i].first] += process_cpu_seconds(processes[i].second) - cpu_before[i];
    }
    result.seconds += seconds;
    result.updates += updates;
    result.pixels += pixels;
    result.per_round_fps.push_back(static_cast<double>(updates) / seconds);

    // Markers: a random pause (the switches must not lock onto the frame clock), a switch,
    // then updates until the marker's pixel shows the new colour.
    std::map<int, std::int64_t> received;
    std::uniform_int_distribution<int> pause_ms(20, 70);
    for (int i = 0; i < options.markers; ++i) {
        pump(viewer, Clock::now() + std::chrono::milliseconds(pause_ms(random)));
        const int number = desktop.switch_marker();
        const std::uint32_t colour = number % 2 == 1 ? kMagenta : kCyan;
        const auto deadline = Clock::now() + 3s;
        bool seen = false;
        while (!seen && Clock::now() < deadline) {
            check_interrupted();
            if (auto update = viewer.next_update(100ms)) {
                viewer.request(true);
                if (update->watched_at_ns && update->watched_value == colour) {
                    received[number] = *update->watched_at_ns;
                    seen = true;
                }
            }
        }
        if (!seen) ++result.missed;
    }
    // The frame reports are printed as the frames go out: give the last one a moment.
    pump(viewer, Clock::now() + 200ms);
    const auto drawn_at = desktop.marker_times();
    for (const auto& [number, at_ns] : received) {
        const auto drawn = drawn_at.find(number);
        // Seen before it was drawn: the colour was already there, after an earlier miss.
        if (drawn == drawn_at.end() || at_ns < drawn->second) {
            ++result.missed;
            continue;
        }
        result.latencies_ms.push_back(static_cast<double>(at_ns - drawn->second) / 1e6);
    }
    add_drawn_frames(desktop.drawn_frames(), from_ns, to_ns, result);

    // Quiet again: what was in flight is read, one request stays outstanding.
    desktop.set_animating(false);
    const auto quiet_deadline = Clock::now() + 5s;
    while (Clock::now() < quiet_deadline && viewer.next_update(300ms)) viewer.request(true);
}

std::string join_rates(const std::vector<double>& rates) {
    std::string out;
    for (double r : rates) {
        char text[32];
        std::snprintf(text, sizeof text, "%s%.1f", out.empty() ? "" : " ", r);
        out += text;
    }
    return out;
}

void report_side(const Side& side, bool baseline) {
    const SideResult& r = side.result;
    const double fps = static_cast<double>(r.updates) / r.seconds;
    const double screens = static_cast<double>(r.pixels) / kScreenPixels / r.seconds;
    const std::string& backend = r.roles.front();
    std::printf("  %s%s\n", side.desktop->label().c_str(), baseline ? " (baseline)" : "");
    std::printf(
        "    %.1f frames/s (complete updates; per round: %s), %.1f screens of pixels/s, "
        "picture drawn at %.1f frames/s\n",
        fps, join_rates(r.per_round_fps).c_str(), screens,
        r.drawn_seconds > 0 ? static_cast<double>(r.drawn) / r.drawn_seconds : 0.0);
    std::printf(
        "    CPU per frame: %s %.2f ms (%.0f %% of a core)", backend.c_str(),
        r.cpu.at(backend) * 1000 / static_cast<double>(std::max<std::uint64_t>(r.updates, 1)),
        r.cpu.at(backend) / r.seconds * 100);
    for (std::size_t i = 1; i < r.roles.size(); ++i)
        std::printf("; %s %.0f %%", r.roles[i].c_str(), r.cpu.at(r.roles[i]) / r.seconds * 100);
    std::printf("\n");
    std::printf(
        "    latency screen change -> update: median %.1f ms, p90 %.1f ms, p99 %.1f ms, "
        "max %.1f ms over %zu markers (%d missed)\n",
        median(r.latencies_ms), percentile(r.latencies_ms, 0.9), percentile(r.latencies_ms, 0.99),
        percentile(r.latencies_ms, 1.0), r.latencies_ms.size(), r.missed);
}

int run(const Options& options) {
    struct sigaction stop {};
    stop.sa_handler = on_stop_signal;
    for (int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &stop, nullptr);

    std::string pattern = (fs::temp_directory_path() / "helpline-capture-bench-XXXXXX").string();
    if (options.logs.empty() && ::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    struct Folder {
        fs::path path;
        bool keep;
        ~Folder() {
            std::error_code ignored;
            if (!keep) fs::remove_all(path, ignored);
        }
    } folder{options.logs.empty() ? fs::path(pattern) : options.logs, !options.logs.empty()};
    fs::create_directories(folder.path / "x11");
    fs::create_directories(folder.path / "portal");

    Side x11, portal;
    x11.desktop = start_x11vnc_desktop(options.programs, folder.path / "x11");
    x11.desktop->set_animating(false);
    portal.desktop = start_portal_desktop(options.programs, folder.path / "portal");
    portal.desktop->set_animating(false);
    x11.viewer = connect_viewer(*x11.desktop, options.pixels);
    portal.viewer = connect_viewer(*portal.desktop, options.pixels);

    std::mt19937 random(20240615);
    for (int round = 0; round < options.rounds; ++round) {
        Side& first = round % 2 == 0 ? x11 : portal;
        Side& second = round % 2 == 0 ? portal : x11;
        measure_round(first, options, random);
        measure_round(second, options, random);
    }

    std::printf(
        "wayland capture benchmark: 1280x800, %s changing at 60 Hz, raw encoding, %s "
        "pixels; %d rounds of %d s + %d markers per side, alternating; %s\n",
        options.programs.area.empty() ? "every pixel"
                                      : (options.programs.area + " of the screen").c_str(),
        options.pixels == RfbPixels::native ? "native" : "noVNC's", options.rounds, options.seconds,
        options.markers, machine_load().c_str());
    report_side(x11, true);
    report_side(portal, false);

    const auto fps = [](const SideResult& r) { return static_cast<double>(r.updates) / r.seconds; };
    const auto cpu_per_frame = [](const SideResult& r) {
        return r.cpu.at(r.roles.front()) /
               static_cast<double>(std::max<std::uint64_t>(r.updates, 1));
    };
    const double fps_ratio = fps(portal.result) / fps(x11.result);
    const double cpu_ratio = cpu_per_frame(portal.result) / cpu_per_frame(x11.result);
    const double p99 = percentile(portal.result.latencies_ms, 0.99);
    const bool fps_ok = fps_ratio >= 0.8, cpu_ok = cpu_ratio <= 1.5;
    const bool latency_ok = p99 <= 100.0 && portal.result.missed == 0;
    std::printf(
        "  portal / x11vnc: frame rate %.2f (target >= 0.8: %s), CPU per frame %.2f "
        "(target <= 1.5: %s); portal latency p99 %.1f ms (target <= 100 ms: %s)\n",
        fps_ratio, fps_ok ? "met" : "NOT met", cpu_ratio, cpu_ok ? "met" : "NOT met", p99,
        latency_ok ? "met" : "NOT met");
    return fps_ok && cpu_ok && latency_ok ? 0 : 1;
}

Options parse(int argc, char** argv) {
    if (argc < 4) throw std::invalid_argument("missing arguments");
    Options options;
    options.programs.portal_vnc = fs::absolute(argv[1]);
    options.programs.animated_window = fs::absolute(argv[2]);
    options.programs.support_dir = fs::absolute(argv[3]);
    const auto positive = [](const std::string& value) {
        const int n = std::stoi(value);
        if (n <= 0) throw std::invalid_argument(value + " is not a positive number");
        return n;
    };
    parse_flags(argc, argv, 4,
                {{"--rounds", [&](const std::string& v) { options.rounds = positive(v); }},
                 {"--seconds", [&](const std::string& v) { options.seconds = positive(v); }},
                 {"--markers", [&](const std::string& v) { options.markers = positive(v); }},
                 {"--area", [&](const std::string& v) { options.programs.area = v; }},
                 {"--logs", [&](const std::string& v) { options.logs = fs::absolute(v); }},
                 {"--pixels",
                  [&](const std::string& v) {
                      if (v != "native" && v != "novnc")
                          throw std::invalid_argument("--pixels is native or novnc, not " + v);
                      options.pixels = v == "native" ? RfbPixels::native : RfbPixels::novnc;
                  }},
                 {"--portal-arg",
                  [&](const std::string& v) { options.programs.portal_extra.push_back(v); }},
                 {"--max-fps", [&](const std::string& v) {
                      options.programs.portal_extra.push_back("--max-fps");
                      options.programs.portal_extra.push_back(std::to_string(positive(v)));
                  }}});
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    return bench_main("wayland_capture_bench", kUsage, [&] { return run(parse(argc, argv)); });
}
