#pragma once
// Who may use the VNC port during a session, as a plain state machine (rfb_server.cpp feeds it
// libvncserver's events). The port is on 127.0.0.1, where any local process can knock; only
// the operator's viewer, through the relay, knows the one-time password. So:
// - a connection counts for nothing until it has given the password: the launcher's
//   readiness probe, or a port scan, connects and leaves without ending the session;
// - one viewer at a time: once one is in, new connections are refused at once and those
//   still logging in are closed;
// - a connection gets 10 s to log in, and at most 4 wait at once (a local process cannot
//   tie the port up);
// - three wrong passwords end the session, so nobody can keep guessing;
// - the session ends when the viewer that was let in leaves.

#include <chrono>
#include <cstddef>
#include <vector>

namespace helpline::win_vnc {

class ViewerGate {
  public:
    using Id = const void*;  ///< a connection (libvncserver's rfbClientPtr)
    using Clock = std::chrono::steady_clock;

    static constexpr std::size_t kMaxWaiting = 4;
    static constexpr int kMaxWrongPasswords = 3;
    static constexpr std::chrono::seconds kLoginTime{10};

    /// A new connection: whether to accept it (false: close it now).
    bool connected(Id id, Clock::time_point now);

    enum class Verdict {
        let_in,           ///< the right password: this is the viewer now
        wrong_password,   ///< refused
        busy,             ///< refused: another viewer is in already
        too_many_wrong,   ///< refused, and the session is over
    };
    /// A connection gave a password, right or wrong.
    Verdict password(Id id, bool correct);
    /// A connection closed.
    void disconnected(Id id);

    /// Connections to close now: those past their time to log in, and once the viewer is in,
    /// every other one still logging in.
    std::vector<Id> to_close(Clock::time_point now) const;

    bool has_viewer() const { return viewer_ != nullptr; }
    /// The viewer that was let in has left: the session is over.
    bool viewer_left() const { return viewer_left_; }
    /// Three wrong passwords: the session is over.
    bool locked() const { return wrong_ >= kMaxWrongPasswords; }

  private:
    struct Waiting {
        Id id;
        Clock::time_point since;
    };
    std::vector<Waiting> waiting_;
    Id viewer_ = nullptr;
    bool viewer_left_ = false;
    int wrong_ = 0;
};

}  // namespace helpline::win_vnc
