// helpline-win-vnc: the remote-session backend for Windows. The client's launcher starts it
// when the customer allows a session (argv from the signed profile, its own Job Object, a
// one-time password file); it serves the Windows desktop as VNC on 127.0.0.1 with that
// password, turns the viewer's pointer and keys into input, and ends when the viewer leaves,
// on Ctrl+Break, or when its Job Object is ended. docs/client.md describes it.
//
// Exit status (session.h): 0 the session ended; 1 an error (said on stderr); 2 bad arguments
// or password file; 4 this session has no desktop to read (the launcher tries the next
// backend).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "client/win_vnc/input_injector.h"
#include "client/win_vnc/password_file.h"
#include "client/win_vnc/process_setup.h"
#include "client/win_vnc/screen_capture.h"
#include "client/win_vnc/session.h"

namespace {

using namespace helpline::win_vnc;

void say(const std::string& line) {
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
    prepare_process();
    SessionOptions options;
    std::string password_file;
    CLI::App app{
        "Shares this Windows desktop as VNC on 127.0.0.1, with a one-time password, for a "
        "Helpline remote session. Started by the Helpline client when the customer allows one.",
        "helpline-win-vnc"};
    app.add_option("--port", options.port, "TCP port on 127.0.0.1 to listen on")
        ->required()
        ->check(CLI::Range(1, 65535));
    app.add_option("--password-file", password_file,
                   "file holding the one-time VNC password; deleted once read")
        ->required();
    app.add_option("--max-fps", options.max_fps, "most screen captures a second (30)")
        ->check(CLI::Range(1, 60));
    app.add_flag("--verbose", options.verbose, "log the VNC server's own messages");
    const std::vector<std::string> arguments = utf8_arguments(argc, argv);
    std::vector<const char*> pointers;
    for (const std::string& argument : arguments) pointers.push_back(argument.c_str());
    try {
        app.parse(static_cast<int>(pointers.size()), pointers.data());
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : exit_status::kUsage;
    }

    auto password = take_password_file(
        std::filesystem::path(std::u8string(password_file.begin(), password_file.end())));
    if (!password) {
        say(password.error().message);
        return exit_status::kUsage;
    }
    options.password = *password;

    const auto screen = open_screen_capture(say);
    const auto input = open_input_injector(say);
    const int status = run_session(options, *screen, *input, stop_requested(), say);
    session_finished();
    return status;
}
