#include "shared/atomic_file.h"

#include <catch2/catch.hpp>
#include <optional>

#include "tests/support/fixtures.h"

using namespace helpline;
using helpline::test::TempDir;
namespace fs = std::filesystem;

namespace {

/// A file's POSIX permission bits; none on Windows, which has no such modes.
std::optional<fs::perms> posix_mode(const fs::path& path) {
    if (fs::path::preferred_separator != '/') return std::nullopt;
    return fs::status(path).permissions() & fs::perms::mask;
}

}  // namespace

TEST_CASE("an atomic write replaces the file whole with the given mode") {
    TempDir dir;
    const auto path = dir / "f";
    helpline::test::write_text(path, "old contents that are longer");
    REQUIRE(write_file_atomic(path, as_bytes(std::string("new")), 0640).ok());
    CHECK(helpline::test::read_text(path) == "new");
    if (auto mode = posix_mode(path)) CHECK(*mode == static_cast<fs::perms>(0640));
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}

TEST_CASE("an atomic write into a missing folder fails cleanly and names the path") {
    TempDir dir;
    auto r = write_file_atomic(dir / "no" / "such" / "f", as_bytes(std::string("x")));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains((dir / "no" / "such" / "f").string()));
}

TEST_CASE("copy and append copies the prefix and appends the tail") {
    TempDir dir;
    helpline::test::write_text(dir / "src", "0123456789");
    REQUIRE(copy_and_append_atomic(dir / "src", 4, as_bytes(std::string("XY")), dir / "out", 0755).ok());
    CHECK(helpline::test::read_text(dir / "out") == "0123XY");
    if (auto mode = posix_mode(dir / "out")) CHECK(*mode == static_cast<fs::perms>(0755));
    // Asking for more than the source has fails and leaves nothing behind.
    CHECK_FALSE(copy_and_append_atomic(dir / "src", 99, {}, dir / "out2", 0755).ok());
    CHECK_FALSE(std::filesystem::exists(dir / "out2"));
}

TEST_CASE("read_file refuses files over the limit") {
    TempDir dir;
    helpline::test::write_text(dir / "f", std::string(100, 'a'));
    CHECK(read_file(dir / "f", 100).ok());
    auto r = read_file(dir / "f", 99);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "io.too_large");
}
