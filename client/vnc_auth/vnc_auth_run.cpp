#include "client/vnc_auth/vnc_auth_run.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <poll.h>

#include <array>
#include <optional>

#include "client/vnc_auth/backend_process.h"
#include "shared/vnc_password_file.h"
#include "client/vnc_auth/private_dir.h"
#include "client/vnc_auth/proxy_loop.h"
#include "client/vnc_auth/rfb_handshake.h"
#include "client/vnc_auth/socket_io.h"

namespace helpline::client::vnc_auth {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPrefix = "helpline-vnc-auth: ";

/// Owns what a run started; its destructor stops the backend before the folder holding its
/// socket goes.
struct Run {
    const VncAuthOptions& options;
    int stop_fd;
    std::ostream& log;
    std::string program;  ///< the backend's name, for messages
    std::unique_ptr<PrivateDir> dir;
    std::unique_ptr<BackendProcess> backend;

    ~Run() {
        if (backend) backend->stop(options.stop_grace);
        if (dir) dir->remove();
    }

    void say(const std::string& line) const { log << kPrefix << line << std::endl; }

    bool stop_requested() const {
        pollfd pfd{stop_fd, POLLIN, 0};
        return stop_fd >= 0 && ::poll(&pfd, 1, 0) > 0;
    }

    std::string backend_said() const {
        const std::string tail = backend->output_tail();
        return tail.empty() ? "" : " It said: " + tail;
    }

    int backend_gone() const {
        say(fmt::format("the screen-sharing program '{}' exited (status {}).{}", program,
                        backend->exit_status().value_or(-1), backend_said()));
        return kExitFailed;
    }

    /// Polls `fd` (or only the stop and exit descriptors when -1) for up to `wait_for`.
    /// Returns the pollfd array's revents for: stop, backend exit, fd.
    std::array<short, 3> wait(int fd, std::chrono::milliseconds wait_for) const {
        pollfd fds[3] = {{stop_fd, POLLIN, 0}, {backend->exit_fd(), POLLIN, 0}, {fd, POLLIN, 0}};
        ::poll(fds, 3, static_cast<int>(wait_for.count()));
        return {fds[0].revents, fds[1].revents, fds[2].revents};
    }

    /// Until the backend's socket accepts a connection and answers the handshake: nullopt
    /// then, else the exit code to end with (kExitDone on a stop signal).
    std::optional<int> wait_for_socket(const fs::path& socket) {
        const auto deadline = Clock::now() + options.ready_timeout;
        auto pause = std::chrono::milliseconds(1);
        while (true) {
            if (stop_requested()) return kExitDone;
            if (backend->exited()) {
                say(
                    fmt::format("the screen-sharing program '{}' stopped before it was ready "
                                "(exit status {}).{}",
                                program, backend->exit_status().value_or(-1), backend_said()));
                return kExitFailed;
            }
            if (auto probe = connect_unix(socket)) {
                // The probe goes through the whole client handshake before it closes:
                // wayvnc 0.5 crashes (SIGSEGV) when a connection closes before its security
                // handshake is done. This also finds a backend that offers no None now,
                // not when the operator connects.
                auto opened = open_backend(probe->get(), deadline, stop_fd);
                if (opened) return std::nullopt;
                const auto& code = opened.error().code;
                if (code == io_error::kCancelled) return kExitDone;
                if (code != io_error::kClosed && code != io_error::kError) {
                    say(fmt::format("the screen-sharing program '{}' cannot be used: {}{}", program,
                                    opened.error().message, backend_said()));
                    return kExitFailed;
                }
            }
            if (Clock::now() >= deadline) {
                say(fmt::format(
                    "the screen-sharing program '{}' did not open its socket '{}' "
                    "within {} ms.{}",
                    program, socket.string(), options.ready_timeout.count(), backend_said()));
                return kExitFailed;
            }
            wait(-1, pause);
            pause = std::min(pause * 2, std::chrono::milliseconds(20));
        }
    }

    /// Joins an authenticated viewer to the backend and copies until the end.
    int serve(int viewer, const ViewerHandshake& handshake, int listener, const fs::path& socket) {
        const auto deadline = Clock::now() + options.handshake_timeout;
        auto connection = connect_unix(socket);
        Status opened = connection ? open_backend(connection->get(), deadline, stop_fd)
                                   : Status(connection.error());
        if (!opened) {
            if (opened.error().code == io_error::kCancelled) return kExitDone;
            (void)send_security_result(viewer, handshake.minor, false,
                                       "The screen-sharing program on this computer did not "
                                       "answer; the session cannot start.",
                                       deadline, stop_fd);
            say(fmt::format("could not reach the screen-sharing program: {}{}",
                            opened.error().message, backend_said()));
            return kExitFailed;
        }
        if (auto ok = send_security_result(viewer, handshake.minor, true, {}, deadline, stop_fd);
            !ok) {
            say(fmt::format("the viewer left before the session began: {}", ok.error().message));
            return kExitDone;
        }
        say("viewer connected to the screen-sharing program");
        ProxyFds fds;
        fds.viewer = viewer;
        fds.backend = connection->get();
        fds.listener = listener;
        fds.stop = stop_fd;
        fds.backend_exit = backend->exit_fd();
        const ProxyEnd end = run_proxy(
            fds, [this] { return backend->exited(); },
            "Another viewer is connected to this computer's screen; only one at a time.");
        switch (end) {
            case ProxyEnd::viewer_left:
                say("the viewer left; stopping");
                return kExitDone;
            case ProxyEnd::stopped:
                say("stop signal; stopping");
                return kExitDone;
            case ProxyEnd::backend_left:
                say(fmt::format("the screen-sharing program closed the connection.{}",
                                backend_said()));
                return kExitFailed;
            case ProxyEnd::backend_exited:
                return backend_gone();
        }
        return kExitFailed;
    }

    int go() {
        auto password = helpline::take_password_file(options.password_file);
        if (!password) {
            say(password.error().message);
            return kExitRefused;
        }
        std::string secret = std::move(*password);
        struct Wipe {
            std::string& s;
            ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
        } wipe{secret};

        auto folder = PrivateDir::create();
        if (!folder) {
            say(folder.error().message);
            return kExitFailed;
        }
        dir = std::move(*folder);
        const fs::path socket = dir->path() / kSocketName;
        std::vector<std::string> argv = options.command;
        argv.push_back(socket.string());
        program = fs::path(argv.front()).filename().string();
        const auto started = Clock::now();
        auto spawned = BackendProcess::spawn(argv, dir->path() / "backend.log");
        if (!spawned) {
            say(spawned.error().message);
            return kExitFailed;
        }
        backend = std::move(*spawned);
        if (auto stopped = wait_for_socket(socket)) return *stopped;
        say(fmt::format(
            "'{}' ready on its private socket after {} ms", program,
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()));

        auto listener = listen_loopback(options.port);
        if (!listener) {
            say(listener.error().message);
            return kExitFailed;
        }
        say(fmt::format("listening on 127.0.0.1:{} for one viewer", options.port));

        int wrong = 0;
        while (true) {
            const auto ready = wait(listener->get(), std::chrono::milliseconds(100));
            if ((ready[0] & POLLIN) != 0 || stop_requested()) {
                say("stop signal; stopping");
                return kExitDone;
            }
            if (ready[1] != 0 || backend->exited()) return backend_gone();
            if ((ready[2] & POLLIN) == 0) continue;
            UniqueFd viewer = accept_connection(listener->get());
            if (viewer.get() < 0) continue;
            auto handshake = authenticate_viewer(viewer.get(), secret,
                                                 Clock::now() + options.handshake_timeout, stop_fd);
            if (!handshake) {
                const auto& code = handshake.error().code;
                if (code == io_error::kCancelled) continue;  // seen at the top of the loop
                if (code == io_error::kClosed || code == io_error::kTimeout ||
                    code == io_error::kError) {
                    // The launcher's readiness probe, a port scan, a viewer that gave up.
                    continue;
                }
                say(handshake.error().message);
                return kExitFailed;
            }
            switch (handshake->verdict) {
                case ViewerVerdict::authenticated:
                    return serve(viewer.get(), *handshake, listener->get(), socket);
                case ViewerVerdict::refused:
                    say("refused a connection: " + handshake->detail);
                    continue;
                case ViewerVerdict::wrong_password:
                    ++wrong;
                    say(fmt::format("refused a viewer: wrong password ({} of {} allowed)", wrong,
                                    options.max_wrong_passwords));
                    if (wrong >= options.max_wrong_passwords) {
                        say("too many wrong passwords; stopping so that nobody can keep guessing");
                        return kExitFailed;
                    }
                    continue;
            }
        }
    }
};

}  // namespace

int run_vnc_auth(const VncAuthOptions& options, int stop_fd, std::ostream& log) {
    if (options.command.empty()) {
        log << kPrefix << "no program to start was given after '--'." << std::endl;
        return kExitRefused;
    }
    Run run{options, stop_fd, log, {}, {}, {}};
    return run.go();
}

}  // namespace helpline::client::vnc_auth
