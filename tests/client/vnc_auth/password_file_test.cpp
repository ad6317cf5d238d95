// The one-time password file: read once, deleted at once, refused unless it is a private
// regular file of this user.

#include "shared/vnc_password_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/fixtures.h"

using namespace helpline;
using namespace helpline::test;

namespace {

fs::path password_file(const TempDir& temp, const std::string& text, mode_t mode = 0600) {
    fs::path path = temp / "vnc-password";
    write_text(path, text);
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    return path;
}

}  // namespace

TEST_CASE("the password is the file's first line, at most 8 characters, and the file is gone",
          "[vnc_auth][password_file]") {
    TempDir temp;
    auto password = take_password_file(password_file(temp, "Ab3dEf9h\n"));
    REQUIRE(password.ok());
    CHECK(*password == "Ab3dEf9h");
    CHECK_FALSE(fs::exists(temp / "vnc-password"));

    CHECK(take_password_file(password_file(temp, "short")).value() == "short");
    CHECK(take_password_file(password_file(temp, "LongerThanEight\r\nsecond line")).value() ==
          "LongerTh");
}

TEST_CASE("a missing, empty, shared or linked password file is refused, saying why",
          "[vnc_auth][password_file]") {
    TempDir temp;
    auto missing = take_password_file(temp / "nothing-here");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("cannot be opened") != std::string::npos);

    auto empty = take_password_file(password_file(temp, "\nsecond"));
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().message.find("is empty") != std::string::npos);
    CHECK_FALSE(fs::exists(temp / "vnc-password"));  // refused, yet never left behind

    auto shared = take_password_file(password_file(temp, "Ab3dEf9h\n", 0644));
    REQUIRE_FALSE(shared.ok());
    CHECK(shared.error().message.find("mode 0644") != std::string::npos);
    CHECK_FALSE(fs::exists(temp / "vnc-password"));

    write_text(temp / "real", "Ab3dEf9h\n");
    REQUIRE(::chmod((temp / "real").c_str(), 0600) == 0);
    fs::create_symlink(temp / "real", temp / "link");
    auto linked = take_password_file(temp / "link");
    REQUIRE_FALSE(linked.ok());
    CHECK(linked.error().message.find("symbolic link") != std::string::npos);
    CHECK(fs::exists(temp / "real"));  // a link's target is never touched

    fs::create_directory(temp / "folder");
    auto folder = take_password_file(temp / "folder");
    REQUIRE_FALSE(folder.ok());
    CHECK(folder.error().message.find("not a regular file") != std::string::npos);
}

TEST_CASE("a password file of another user is refused and left alone",
          "[vnc_auth][password_file]") {
    if (::geteuid() != 0) {  // only root can give a file away; CI runs as root
        WARN("not checked: the tests do not run as root, so no file of another user can be made");
        return;
    }
    TempDir temp;
    const fs::path path = password_file(temp, "Ab3dEf9h\n");
    REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
    auto theirs = take_password_file(path);
    REQUIRE_FALSE(theirs.ok());
    CHECK(theirs.error().message.find("belongs to user id 65534") != std::string::npos);
    CHECK(fs::exists(path));
}
