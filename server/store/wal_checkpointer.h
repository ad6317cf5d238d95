#pragma once
// Background WAL checkpoints for the SQLite store.
//
// In WAL mode every commit appends pages to helpline.db-wal; a checkpoint copies them back
// into helpline.db and fsyncs it. By default SQLite does that inline, in whichever commit
// finds the log past 1,000 pages: that request then waits for a second file's fsync while
// holding the store's lock, and every submission queued behind it waits too (the p99 of
// docs/benchmarks.md). Here the store's connection only reports the log's size after each
// commit (Db::on_commit), and this thread, on a connection of its own, runs passive
// checkpoints, which never block the writer. Readers and writers of other processes (the
// admin CLI) keep SQLite's own automatic checkpoint.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace helpline::server {

class SqliteDb;

class WalCheckpointer {
  public:
    /// Pages in the log past which the thread is woken (SQLite's own default is 1,000).
    static constexpr int kWakeAtFrames = 256;

    /// Opens a second connection to `path` (throws DbException) and starts the thread.
    explicit WalCheckpointer(const std::string& path);
    ~WalCheckpointer();  ///< finishes the checkpoint in progress, then stops
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// After a commit, with the frames now in the log; cheap, any thread.
    void committed(int frames);
    /// Checkpoints run so far (for tests).
    int checkpoints();

  private:
    void run();

    std::unique_ptr<SqliteDb> db_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool pending_ = false;
    bool stop_ = false;
    int checkpoints_ = 0;
    std::thread thread_;
};

}  // namespace helpline::server
