#include "client/vnc_auth/vnc_auth_cli.h"

#include <CLI/CLI.hpp>

#include "client/vnc_auth/stop_signals.h"
#include "client/vnc_auth/vnc_auth_run.h"

namespace helpline::client::vnc_auth {

int run_vnc_auth_cli(int argc, char** argv, std::ostream& out, std::ostream& err) {
    CLI::App app{
        "Puts VNC password authentication in front of a VNC server that has none (wayvnc): "
        "starts PROGRAM ARG... SOCKET, with SOCKET a Unix socket in a private folder, and "
        "serves one viewer on 127.0.0.1:PORT that knows the one-time password.",
        "helpline-vnc-auth"};
    app.set_version_flag("--version", HELPLINE_VERSION);
    VncAuthOptions options;
    unsigned port = 0;
    long ready_ms = options.ready_timeout.count();
    app.add_option("--port", port, "127.0.0.1 port to listen on")
        ->required()
        ->check(CLI::Range(1u, 65535u));
    app.add_option("--password-file", options.password_file,
                   "File with the one-time password on its first line (0600; deleted on reading)")
        ->required();
    app.add_option("--ready-timeout-ms", ready_ms,
                   "How long the program may take to open its socket")
        ->check(CLI::Range(1L, 600'000L))
        ->capture_default_str();
    app.add_option("command", options.command,
                   "After '--': the VNC server and its arguments (e.g. wayvnc --unix-socket); "
                   "the socket path is appended")
        ->required()
        ->expected(-1);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e, out, err) == 0 ? kExitDone : kExitRefused;
    }
    options.port = static_cast<std::uint16_t>(port);
    options.ready_timeout = std::chrono::milliseconds(ready_ms);

    auto signals = StopSignals::install();
    if (!signals) {
        err << "helpline-vnc-auth: " << signals.error().message << std::endl;
        return kExitFailed;
    }
    return run_vnc_auth(options, signals->fd(), err);
}

}  // namespace helpline::client::vnc_auth
