#pragma once
// Which store engine a test run uses. The server's suites are registered twice with CTest:
// on SQLite, then with HELPLINE_TEST_STORE=postgresql on the test cluster (label postgres,
// pg_test_database.h). Cases about the SQLite file itself are tagged [sqlite] and left out
// of the PostgreSQL pass.

#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/support/pg_test_database.h"

namespace helpline::test {

/// Whether this run is the PostgreSQL pass (HELPLINE_TEST_STORE=postgresql).
inline bool postgres_pass() {
    const char* engine = std::getenv("HELPLINE_TEST_STORE");
    return engine != nullptr && std::string_view(engine) == "postgresql";
}

/// The database a new team of this pass gets: in the PostgreSQL pass a new, empty database
/// on the test cluster (its URL), otherwise "" (the SQLite file in the team's data folder).
inline std::string pass_database() {
    return postgres_pass() ? fresh_postgres_url() : std::string();
}

}  // namespace helpline::test
