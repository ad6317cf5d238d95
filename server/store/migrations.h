#pragma once
// The schema's history: numbered migrations, embedded in the binary, applied in order, each
// in its own transaction, the last applied number kept with the data (SQLite: PRAGMA
// user_version; PostgreSQL: the table helpline_schema). PostgreSQL runs the same
// migrations in its form (postgres_migrations). A migration, once released, is never
// edited: a change is a new migration.

#include <cstdint>
#include <span>
#include <string>

#include "shared/result.h"

namespace helpline::server {

class Db;

struct Migration {
    int version;      ///< 1, 2, 3, ... without gaps
    const char* sql;  ///< one or more statements
};

/// Every migration of the schema, oldest first.
std::span<const Migration> sqlite_migrations();
/// The same migrations in PostgreSQL's form (BIGINT identity columns for generated ids).
std::span<const Migration> postgres_migrations();

/// Brings the database up to the last of `migrations` (the schema's own list but for
/// tests). Refuses, with store_error::kNewerSchema, a database migrated past the last one:
/// it was written by a newer server, whose data this one would misread.
Status migrate(Db& db, std::span<const Migration> migrations);

/// The refusal of the database at `path`, of schema version `found`, by a server that knows
/// versions up to `known` (store_error::kNewerSchema): also a backup's, before it is restored.
Error newer_schema_error(const std::string& path, std::int64_t found, std::int64_t known);

}  // namespace helpline::server
