#pragma once
// The GUI's thread for file work that must not hold up the main loop: saving a request in
// the outbox (temp file, fsync, rename), remembering the email, reading requests.log and
// the outbox for My requests. Jobs run one after the other, in the order posted; each
// posts its result back with post_if_alive. No wx here.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace helpline::gui {

class DiskWorker {
  public:
    DiskWorker();
    /// Runs what is still queued (a request being saved is never dropped), then joins.
    ~DiskWorker();
    DiskWorker(const DiskWorker&) = delete;
    DiskWorker& operator=(const DiskWorker&) = delete;

    void post(std::function<void()> job);
    /// Forgets the jobs not started yet (their results are no longer wanted); the one
    /// running finishes.
    void drop_queued();

  private:
    void run();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace helpline::gui
