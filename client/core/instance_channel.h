#pragma once
// One client per user and brand: the first instance listens on a Unix socket in the
// runtime folder (0700, owned by the user) — on Windows a named pipe only the user may open
// (ClientPaths::instance_channel) — and a second start sends it "raise" there and exits.
// The lock itself is the frontend's (the GUI uses wxSingleInstanceChecker in the same
// folder); this is only the message. No wx here. Platform code in instance_channel_posix.cpp
// and instance_channel_win32.cpp.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "shared/result.h"

namespace helpline::client {

class InstanceChannel {
  public:
    /// Listens on `socket` (a stale file there is replaced; a pipe name on Windows, which
    /// fails if another process has it); `on_raise` runs on the channel's thread for every
    /// "raise" received.
    static Result<std::unique_ptr<InstanceChannel>> listen(const std::filesystem::path& socket,
                                                           std::function<void()> on_raise);
    ~InstanceChannel();  ///< stops the thread, removes the socket file
    InstanceChannel(const InstanceChannel&) = delete;
    InstanceChannel& operator=(const InstanceChannel&) = delete;

    /// Asks the instance listening on `socket` to raise its window; waits up to `timeout`
    /// for it to be there (it may still be starting) and to confirm.
    static Status send_raise(const std::filesystem::path& socket,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5));

  private:
    struct Listener;  ///< the platform's socket or pipe, and what wakes the thread to stop
    InstanceChannel(std::unique_ptr<Listener> listener, std::function<void()> on_raise);
    void serve();

    std::unique_ptr<Listener> listener_;
    std::function<void()> on_raise_;
    std::thread thread_;
};

}  // namespace helpline::client
