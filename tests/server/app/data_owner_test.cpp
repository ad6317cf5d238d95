// Root refused on another user's data folder (server/app/data_owner.cpp), on real folders:
// as root the test hands them to "nobody" (65534); as another user its own folders are
// already someone else's as far as root is concerned.

#include "server/app/data_owner.h"

#include <catch2/catch.hpp>
#include <unistd.h>

#include "server/app/server_app.h"
#include "tests/support/fixtures.h"

namespace helpline::server {
namespace {

using test::TempDir;

constexpr uid_t kNobody = 65534;

/// Makes `path` belong to a user that is not root: "nobody" when the test runs as root,
/// else the test's own user already is one. Returns that user's uid.
uid_t give_away(const std::filesystem::path& path) {
    if (::geteuid() == 0) REQUIRE(::chown(path.c_str(), kNobody, kNobody) == 0);
    return ::geteuid() == 0 ? kNobody : ::geteuid();
}

}  // namespace

TEST_CASE("root on a data folder that belongs to another user is refused, naming that user") {
    TempDir dir;
    const uid_t owner = give_away(dir.path());
    const auto found = foreign_data_owner(dir.path(), 0);
    REQUIRE(found.has_value());
    if (owner == kNobody) CHECK(*found == "nobody");
}

TEST_CASE("root on a database that belongs to another user is refused, even in root's folder") {
    if (::geteuid() != 0) {
        SUCCEED("only root can make a folder of root's hold another user's file");
        return;
    }
    TempDir dir;
    test::write_text(database_path(dir.path()), "");
    give_away(database_path(dir.path()));
    CHECK(foreign_data_owner(dir.path(), 0) == std::optional<std::string>("nobody"));
}

TEST_CASE("a user on their own data folder, root on root's and a missing folder are not refused") {
    TempDir dir;
    test::write_text(database_path(dir.path()), "");
    CHECK_FALSE(foreign_data_owner(dir.path(), ::geteuid()).has_value());
    CHECK_FALSE(foreign_data_owner(dir / "not-yet", 0).has_value());
    const uid_t owner = give_away(dir.path());
    CHECK_FALSE(foreign_data_owner(dir.path(), owner).has_value());
}

TEST_CASE("the refusal says why and gives the command to run as the owner") {
    const std::string text =
        foreign_data_refusal("/var/lib/helpline", "helpline", "user add --email 'a b@x.example' --name A");
    CHECK(text.find("'/var/lib/helpline' belongs to the user 'helpline'") != std::string::npos);
    CHECK(text.find("-wal and -shm") != std::string::npos);
    CHECK(text.find("sudo -u helpline helpline-server user add --email 'a b@x.example' --name A") !=
          std::string::npos);
    CHECK(foreign_data_refusal("/d", "uid 4242", "user list").find("belongs to uid 4242") != std::string::npos);
    CHECK(foreign_data_refusal("/d", "uid 4242", "user list").find("sudo -u '#4242' helpline-server user list") !=
          std::string::npos);
}

}  // namespace helpline::server
