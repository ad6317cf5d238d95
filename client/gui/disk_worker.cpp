#include "client/gui/disk_worker.h"

namespace helpline::gui {

DiskWorker::DiskWorker() : thread_([this] { run(); }) {}

DiskWorker::~DiskWorker() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void DiskWorker::post(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_all();
}

void DiskWorker::drop_queued() {
    std::lock_guard lock(mutex_);
    jobs_.clear();
}

void DiskWorker::run() {
    while (true) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;  // stopping, nothing left
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        job();
    }
}

}  // namespace helpline::gui
