#pragma once
// The SQLite schema's history: numbered migrations, embedded in the binary, applied in
// order, each in its own transaction, the last applied number kept in PRAGMA user_version.
// A migration, once released, is never edited: a change is a new migration.

#include <span>

#include "shared/result.h"

namespace helpline::server {

class Db;

struct Migration {
    int version;      ///< 1, 2, 3, ... without gaps
    const char* sql;  ///< one or more statements
};

/// Every migration of the schema, oldest first.
std::span<const Migration> sqlite_migrations();

/// Brings the database up to the last of `migrations` (the schema's own list but for
/// tests). Refuses, with store_error::kNewerSchema, a database migrated past the last one:
/// it was written by a newer server, whose data this one would misread.
Status migrate(Db& db, std::span<const Migration> migrations);

}  // namespace helpline::server
