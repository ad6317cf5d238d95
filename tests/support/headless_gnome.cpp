#include "tests/support/headless_gnome.h"

#include <signal.h>

#include <sstream>

namespace helpline::test {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<client::ChildProcess> spawn(const std::vector<std::string>& argv,
                                            const fs::path& output) {
    client::SpawnOptions options;
    options.executable = argv.front();
    options.argv = argv;
    options.output = output;
    auto process = client::ChildProcess::spawn(options);
    if (!process) {
        write_text(output,
                   "could not start " + argv.front() + ": " + process.error().message + "\n");
        return nullptr;
    }
    return std::move(*process);
}

}  // namespace

HeadlessGnome::HeadlessGnome(const std::string& size, std::chrono::milliseconds timeout) {
    const fs::path env_file = folder() / "desktop.env";
    // Through bash: the script need not keep its executable bit to work.
    const auto started = Clock::now();
    process_ = spawn(
        {"/bin/bash", (support_dir() / "headless_gnome.sh").string(), env_file.string(), size},
        folder() / "headless_gnome.log");
    if (!process_) return;
    // The script writes the file in one rename once everything answers.
    const bool written =
        wait_for([&] { return fs::exists(env_file) || process_->exited(); }, timeout, 20ms);
    if (!written || !fs::exists(env_file) || process_->exited()) return;
    std::istringstream lines(read_text(env_file));
    for (std::string line; std::getline(lines, line);)
        if (line.find('=') != std::string::npos) environment_.push_back(line);
    start_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    ready_ = !variable("DBUS_SESSION_BUS_ADDRESS").empty() && !variable("WAYLAND_DISPLAY").empty();
}

HeadlessGnome::~HeadlessGnome() {
    if (!process_) return;
    // The script first, so that it stops its components and removes its folder itself;
    // then the group, for anything left behind.
    ::kill(process_->pid(), SIGTERM);
    wait_for([&] { return process_->exited(); }, 10s, 10ms);
    process_->stop(1s);
}

std::string HeadlessGnome::log() const {
    return read_text(folder_.path() / "headless_gnome.log");
}

int HeadlessGnome::process_group() const {
    return process_ ? process_->pid() : -1;
}

std::string HeadlessGnome::variable(const std::string& name) const {
    const std::string prefix = name + "=";
    for (const auto& entry : environment_)
        if (entry.rfind(prefix, 0) == 0) return entry.substr(prefix.size());
    return {};
}

std::vector<std::string> HeadlessGnome::in_session(const std::vector<std::string>& argv) const {
    // No DISPLAY: the desktop has no X server, and a test's own (Xvfb) must not draw GTK's
    // windows there instead.
    std::vector<std::string> out = {"/usr/bin/env", "-u", "DISPLAY"};
    out.insert(out.end(), environment_.begin(), environment_.end());
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

fs::path HeadlessGnome::next_output(const std::string& stem) const {
    return folder_.path() / (stem + "-" + std::to_string(++outputs_) + ".out");
}

DesktopRun HeadlessGnome::run(const std::vector<std::string>& argv,
                              std::chrono::milliseconds timeout) const {
    const fs::path output = next_output("run");
    DesktopRun result;
    auto process = spawn(in_session(argv), output);
    if (process) {
        const bool ended = wait_for([&] { return process->exited(); }, timeout, 5ms);
        if (ended) result.status = process->exit_status().value_or(-1);
        process->stop(1s);  // reaps it, and ends what it left in its group
    }
    result.output = read_text(output);
    if (result.status == -1)
        result.output += "\n(stopped after " + std::to_string(timeout.count()) + " ms)";
    return result;
}

DesktopRun HeadlessGnome::desktop(const std::vector<std::string>& arguments,
                                  std::chrono::milliseconds timeout) const {
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     (support_dir() / "mutter_desktop.py").string()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run(argv, timeout);
}

fs::path HeadlessGnome::support_dir() {
    return source_path("tests/support");
}

fs::path HeadlessGnome::test_window() {
    return HELPLINE_WAYLAND_TEST_WINDOW;
}

DesktopProgram::DesktopProgram(const HeadlessGnome& desktop, const std::vector<std::string>& argv)
    : output_(desktop.next_output("program")) {
    process_ = spawn(desktop.in_session(argv), output_);
}

DesktopProgram::~DesktopProgram() {
    stop();
}

std::string DesktopProgram::output() const {
    return read_text(output_);
}

bool DesktopProgram::wait_line(const std::string& line, std::chrono::milliseconds timeout,
                               std::size_t from) const {
    return wait_for(
        [&] {
            const std::string text = output();
            if (text.size() < from) return false;
            // A line: after the start (or a newline) and before a newline.
            for (auto at = text.find(line, from); at != std::string::npos;
                 at = text.find(line, at + 1)) {
                const bool starts = at == 0 || text[at - 1] == '\n';
                const bool ends = at + line.size() < text.size() && text[at + line.size()] == '\n';
                if (starts && ends) return true;
            }
            return false;
        },
        timeout, 10ms);
}

std::optional<int> DesktopProgram::exit_status() {
    return process_ ? process_->exit_status() : std::optional<int>(-1);
}

void DesktopProgram::stop(std::chrono::milliseconds grace) {
    if (process_) process_->stop(grace);
}

}  // namespace helpline::test
