#pragma once
// The write lock of a team's database, held from outside the server as a long migration or
// a backup tool in the wrong mode would: the server's next write waits until it is let go.
// On SQLite it is BEGIN IMMEDIATE on the file; on PostgreSQL the advisory lock every write
// transaction of every server takes (PgDb::kWriteLock), held by a session of its own.

#include <memory>

#include "tests/support/server_process.h"

struct sqlite3;
struct pg_conn;

namespace helpline::test::e2e {

class DatabaseWriteLock {
  public:
    /// Takes the lock of `server`'s team database (REQUIREs success); returns once held.
    explicit DatabaseWriteLock(const ServerProcess& server);
    ~DatabaseWriteLock();  ///< release()
    DatabaseWriteLock(const DatabaseWriteLock&) = delete;
    DatabaseWriteLock& operator=(const DatabaseWriteLock&) = delete;

    /// Lets the lock go (and closes the connection); a no-op the second time.
    void release();

  private:
    sqlite3* sqlite_ = nullptr;
    pg_conn* postgres_ = nullptr;
};

}  // namespace helpline::test::e2e
