// The wrapper's RFB handshakes against a peer on a socketpair: the viewer side (VNC
// authentication, versions) and the backend side (security type None), then the copying.

#include "client/vnc_auth/rfb_handshake.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <future>

#include "client/vnc_auth/proxy_loop.h"
#include "shared/vnc_des.h"

using namespace helpline;
using namespace helpline::client::vnc_auth;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPassword = "Secret12";

struct Pair {
    UniqueFd a;
    UniqueFd b;
    Pair() {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) == 0);
        a = UniqueFd(fds[0]);
        b = UniqueFd(fds[1]);
    }
};

Clock::time_point soon() {
    return Clock::now() + 5s;
}

std::string take(int fd, std::size_t count) {
    auto bytes = read_exact(fd, count, soon());
    INFO((bytes ? "" : bytes.error().message));
    REQUIRE(bytes.ok());
    return *bytes;
}

void put(int fd, const std::string& bytes) {
    REQUIRE(write_all(fd, bytes, soon()).ok());
}

/// Nothing has arrived on `fd` (and it is still open).
bool nothing_waiting(int fd) {
    char byte = 0;
    return ::recv(fd, &byte, 1, MSG_PEEK) < 0 && errno == EAGAIN;
}

/// The viewer's side up to the answer to the challenge; returns the challenge.
std::string viewer_login(int fd, const std::string& password,
                         const std::string& version = "RFB 003.008\n") {
    CHECK(take(fd, 12) == "RFB 003.008\n");
    put(fd, version);
    CHECK(take(fd, 2) == std::string("\x01\x02", 2));  // one type: VNC authentication
    put(fd, std::string(1, '\x02'));
    std::string challenge = take(fd, 16);
    auto answer = vnc_challenge_response(password, challenge);
    REQUIRE(answer.ok());
    put(fd, *answer);
    return challenge;
}

/// The backend's side (RFB 3.8 server) of open_backend, offering `types`.
void backend_greets(int fd, const std::string& types) {
    put(fd, "RFB 003.008\n");
    CHECK(take(fd, 12) == "RFB 003.008\n");
    put(fd, std::string(1, static_cast<char>(types.size())) + types);
}

}  // namespace

TEST_CASE("the VNC answer matches an independent implementation's", "[vnc_auth][des]") {
    // Challenge 0..15 under "password": the value libvncserver's rfbEncryptBytes (its own
    // d3des, not OpenSSL) gives. Real viewers compute it that way; a change here breaks them.
    std::string challenge;
    for (int i = 0; i < 16; ++i) challenge.push_back(static_cast<char>(i));
    auto answer = vnc_challenge_response("password", challenge);
    REQUIRE(answer.ok());
    std::string hex;
    for (const char c : *answer) hex += fmt::format("{:02x}", static_cast<unsigned char>(c));
    CHECK(hex == "b866924125c8eebb9debc1db61c538e2");
    // Only the first 8 characters count.
    CHECK(vnc_challenge_response("password-and-more", challenge).value() == *answer);
    CHECK(vnc_challenge_response("passwore", challenge).value() != *answer);
    CHECK_FALSE(vnc_challenge_response("password", "short").ok());
}

TEST_CASE("a viewer with the right password reaches the backend and bytes flow both ways",
          "[vnc_auth][handshake]") {
    Pair viewer, backend;
    auto wrapper = std::async(std::launch::async, [&] {
        auto handshake = authenticate_viewer(viewer.a.get(), kPassword, soon());
        REQUIRE(handshake.ok());
        REQUIRE(handshake->verdict == ViewerVerdict::authenticated);
        REQUIRE(open_backend(backend.a.get(), soon()).ok());
        REQUIRE(send_security_result(viewer.a.get(), handshake->minor, true, {}, soon()).ok());
        ProxyFds fds;
        fds.viewer = viewer.a.get();
        fds.backend = backend.a.get();
        return run_proxy(
            fds, [] { return false; }, "busy");
    });
    viewer_login(viewer.b.get(), kPassword);
    backend_greets(backend.b.get(), std::string("\x13\x01", 2));  // VeNCrypt and None
    CHECK(take(backend.b.get(), 1) == "\x01");                    // None chosen
    put(backend.b.get(), std::string(4, '\0'));                   // SecurityResult OK
    CHECK(take(viewer.b.get(), 4) == std::string(4, '\0'));       // OK passed to the viewer

    // ClientInit onward: copied as they are, both ways, also in bulk (past the 64 KiB buffer).
    put(viewer.b.get(), "\x01");
    CHECK(take(backend.b.get(), 1) == "\x01");
    std::string screen(std::size_t{300} * 1024, '\0');
    for (std::size_t i = 0; i < screen.size(); ++i) screen[i] = static_cast<char>(i * 7);
    auto sender = std::async(std::launch::async, [&] { put(backend.b.get(), screen); });
    CHECK(take(viewer.b.get(), screen.size()) == screen);
    sender.get();
    put(viewer.b.get(), "pointer");
    CHECK(take(backend.b.get(), 7) == "pointer");

    viewer.b.reset();  // the viewer leaves
    REQUIRE(wrapper.wait_for(5s) == std::future_status::ready);
    CHECK(wrapper.get() == ProxyEnd::viewer_left);
}

TEST_CASE("a wrong password gets SecurityResult failed with a reason and reaches nothing",
          "[vnc_auth][handshake]") {
    Pair viewer, backend;
    auto wrapper = std::async(std::launch::async, [&] {
        auto handshake = authenticate_viewer(viewer.a.get(), kPassword, soon());
        REQUIRE(handshake.ok());
        return handshake->verdict;
    });
    viewer_login(viewer.b.get(), "Secret13");
    CHECK(take(viewer.b.get(), 4) == std::string("\0\0\0\1", 4));  // failed
    const std::string reason = take(viewer.b.get(), read_be32(take(viewer.b.get(), 4)));
    CHECK(reason == "Authentication failed: wrong password.");
    REQUIRE(wrapper.wait_for(5s) == std::future_status::ready);
    CHECK(wrapper.get() == ViewerVerdict::wrong_password);
    CHECK(nothing_waiting(backend.b.get()));
}

TEST_CASE("an RFB 3.7 viewer is served, and its failures come without a reason (3.7 has none)",
          "[vnc_auth][handshake]") {
    for (const std::string& password : {std::string(kPassword), std::string("wrong")}) {
        Pair viewer;
        auto wrapper = std::async(std::launch::async, [&] {
            return authenticate_viewer(viewer.a.get(), kPassword, soon()).value();
        });
        viewer_login(viewer.b.get(), password, "RFB 003.007\n");
        REQUIRE(wrapper.wait_for(5s) == std::future_status::ready);
        const ViewerHandshake handshake = wrapper.get();
        CHECK(handshake.minor == 7);
        if (password == kPassword) {
            CHECK(handshake.verdict == ViewerVerdict::authenticated);
            REQUIRE(send_security_result(viewer.a.get(), 7, true, {}, soon()).ok());
            CHECK(take(viewer.b.get(), 4) == std::string(4, '\0'));
        } else {
            CHECK(handshake.verdict == ViewerVerdict::wrong_password);
            CHECK(take(viewer.b.get(), 4) == std::string("\0\0\0\1", 4));
            viewer.a.reset();
            char byte = 0;
            CHECK(::recv(viewer.b.get(), &byte, 1, 0) == 0);  // closed, nothing more
        }
    }
}

TEST_CASE("an RFB 3.3 viewer is refused with a reason", "[vnc_auth][handshake]") {
    Pair viewer;
    auto wrapper = std::async(std::launch::async, [&] {
        return authenticate_viewer(viewer.a.get(), kPassword, soon()).value();
    });
    CHECK(take(viewer.b.get(), 12) == "RFB 003.008\n");
    put(viewer.b.get(), "RFB 003.003\n");
    CHECK(take(viewer.b.get(), 4) == std::string(4, '\0'));  // 3.3: security type 0, invalid
    const std::string reason = take(viewer.b.get(), read_be32(take(viewer.b.get(), 4)));
    CHECK(reason.find("3.7 or 3.8") != std::string::npos);
    REQUIRE(wrapper.wait_for(5s) == std::future_status::ready);
    CHECK(wrapper.get().verdict == ViewerVerdict::refused);
}

TEST_CASE("a viewer choosing a security type not offered is refused", "[vnc_auth][handshake]") {
    Pair viewer;
    auto wrapper = std::async(std::launch::async, [&] {
        return authenticate_viewer(viewer.a.get(), kPassword, soon()).value();
    });
    CHECK(take(viewer.b.get(), 12) == "RFB 003.008\n");
    put(viewer.b.get(), "RFB 003.008\n");
    CHECK(take(viewer.b.get(), 2) == std::string("\x01\x02", 2));
    put(viewer.b.get(), "\x01");  // None: never
    CHECK(take(viewer.b.get(), 4) == std::string("\0\0\0\1", 4));
    REQUIRE(wrapper.wait_for(5s) == std::future_status::ready);
    CHECK(wrapper.get().verdict == ViewerVerdict::refused);
}

TEST_CASE("a peer that closes or stalls before authenticating is an error, not a verdict",
          "[vnc_auth][handshake]") {
    {
        Pair viewer;
        viewer.b.reset();  // the launcher's readiness probe: connect, close
        auto handshake = authenticate_viewer(viewer.a.get(), kPassword, soon());
        REQUIRE_FALSE(handshake.ok());
        CHECK(handshake.error().code == io_error::kClosed);
    }
    {
        Pair viewer;
        auto handshake = authenticate_viewer(viewer.a.get(), kPassword, Clock::now() + 100ms);
        REQUIRE_FALSE(handshake.ok());
        CHECK(handshake.error().code == io_error::kTimeout);
    }
    {
        Pair viewer, stop;
        put(stop.b.get(), "x");  // a stop signal arrived
        auto handshake = authenticate_viewer(viewer.a.get(), kPassword, soon(), stop.a.get());
        REQUIRE_FALSE(handshake.ok());
        CHECK(handshake.error().code == io_error::kCancelled);
    }
}

TEST_CASE("a backend that offers no None is a clear error", "[vnc_auth][handshake]") {
    Pair backend;
    auto wrapper =
        std::async(std::launch::async, [&] { return open_backend(backend.a.get(), soon()); });
    backend_greets(backend.b.get(), std::string("\x13", 1));  // VeNCrypt only (enable_auth)
    REQUIRE(wrapper.wait_for(5s) == std::future_status::ready);
    const Status opened = wrapper.get();
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == handshake_error::kBackendNoNone);
    CHECK(opened.error().message.find("security types offered: 19") != std::string::npos);
    CHECK(opened.error().message.find("enable_auth") != std::string::npos);
}

TEST_CASE("a backend's refusal and an RFB 3.3 backend are errors with what they said",
          "[vnc_auth][handshake]") {
    {
        Pair backend;
        auto wrapper =
            std::async(std::launch::async, [&] { return open_backend(backend.a.get(), soon()); });
        put(backend.b.get(), "RFB 003.008\n");
        take(backend.b.get(), 12);
        put(backend.b.get(), std::string(1, '\0') + be32(9) + "too many!");
        REQUIRE(wrapper.wait_for(5s) == std::future_status::ready);
        const Status opened = wrapper.get();
        CHECK(opened.error().code == handshake_error::kBackendRefused);
        CHECK(opened.error().message.find("too many!") != std::string::npos);
    }
    {
        Pair backend;
        put(backend.b.get(), "RFB 003.003\n");
        const Status opened = open_backend(backend.a.get(), soon());
        CHECK(opened.error().code == handshake_error::kBackendVersion);
    }
}

TEST_CASE("turning a viewer away after its version fits the version it speaks",
          "[vnc_auth][handshake]") {
    CHECK(refusal_after_version("RFB 003.008\n", "busy") == std::string("\0\0\0\0\4busy", 9));
    CHECK(refusal_after_version("RFB 003.007\n", "busy") == std::string("\0\0\0\0\4busy", 9));
    CHECK(refusal_after_version("RFB 003.003\n", "busy") ==
          std::string("\0\0\0\0\0\0\0\4busy", 12));
}
