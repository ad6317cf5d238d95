#include "server/store/wal_checkpointer.h"

#include "server/store/sqlite_db.h"

namespace helpline::server {

WalCheckpointer::WalCheckpointer(const std::string& path)
    : db_(SqliteDb::open(path)), thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void WalCheckpointer::committed(int frames) {
    if (frames < kWakeAtFrames) return;
    {
        std::lock_guard lock(mutex_);
        if (pending_) return;
        pending_ = true;
    }
    wake_.notify_one();
}

int WalCheckpointer::checkpoints() {
    std::lock_guard lock(mutex_);
    return checkpoints_;
}

void WalCheckpointer::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return pending_ || stop_; });
        if (stop_) return;
        pending_ = false;
        lock.unlock();
        try {
            db_->checkpoint_passive();
        } catch (const DbException&) {  // NOLINT(bugprone-empty-catch)
            // A busy or failing checkpoint leaves the pages in the log, where they are as
            // safe as in the database file; the next commit wakes this thread again.
        }
        lock.lock();
        ++checkpoints_;
    }
}

}  // namespace helpline::server
