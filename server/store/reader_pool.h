#pragma once
// Connections for the store's lookups, beside its one writer (sql_store.h). A reader sees
// the last commit and never waits for the writer (SQLite in WAL mode, PostgreSQL by MVCC),
// so a token lookup or a queue listing goes on while a group of submissions is being
// committed and fsynced.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/store/sql_db.h"

namespace helpline::server {

class ReaderPool {
  public:
    /// Opens `size` reader connections with `connect` (throws DbException).
    ReaderPool(const std::function<std::unique_ptr<Db>()>& connect, std::size_t size);
    ReaderPool(const ReaderPool&) = delete;
    ReaderPool& operator=(const ReaderPool&) = delete;

    /// One connection, for one caller at a time; back to the pool when the lease ends.
    class Lease {
      public:
        Lease(ReaderPool& pool, Db& db) : pool_(&pool), db_(&db) {}
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Db& db() const { return *db_; }

      private:
        ReaderPool* pool_;
        Db* db_;
    };

    /// Waits for a free connection (there are as many as the server has threads that look
    /// things up, so the wait is short when there is one at all).
    Lease acquire();

  private:
    void release(Db& db);

    std::mutex mutex_;
    std::condition_variable released_;
    std::vector<std::unique_ptr<Db>> connections_;
    std::vector<Db*> free_;
};

}  // namespace helpline::server
