#pragma once
// One client per user and brand: the first instance listens on a Unix socket in the
// runtime folder (0700, owned by the user), and a second start sends it "raise" there and
// exits. The lock itself is the frontend's (the GUI uses wxSingleInstanceChecker in the
// same folder); this is only the message. No wx here.

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
    /// Listens on `socket` (a stale file there is replaced); `on_raise` runs on the
    /// channel's thread for every "raise" received.
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
    InstanceChannel(std::filesystem::path socket, int fd, std::function<void()> on_raise);
    void serve();

    std::filesystem::path socket_;
    int fd_ = -1;
    int wake_[2] = {-1, -1};
    std::function<void()> on_raise_;
    std::thread thread_;
};

}  // namespace helpline::client
