// The check of the files a customer attaches: the profile's limits (count, total), the
// server's limit per file, and files that cannot be read — one message per refused file.

#include "client/core/attachment_limits.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "tests/support/fixtures.h"

namespace helpline::test {
namespace {

using client::AttachmentLimits;
using client::RefusedAttachment;
using Reason = client::RefusedAttachment::Reason;

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * 1024;

/// A file of `size` bytes (sparse: big ones cost nothing).
fs::path sized_file(const TempDir& dir, const std::string& name, std::uint64_t size) {
    const auto path = dir / name;
    write_text(path, "x");
    fs::resize_file(path, size);
    return path;
}

AttachmentLimits limits(int files, std::uint64_t total, std::uint64_t per_file = 20 * kMiB) {
    AttachmentLimits l;
    l.max_files = files;
    l.max_total_bytes = total;
    l.max_file_bytes = per_file;
    return l;
}

}  // namespace

TEST_CASE("files within the limits are all taken, in order, with name, size and type") {
    TempDir dir;
    const auto shot = sized_file(dir, "screen shot.PNG", 300 * kKiB);
    const auto log = sized_file(dir, "install.log", 2 * kKiB);
    const auto check = client::check_attachments({shot, log}, limits(5, 20 * kMiB));
    CHECK(check.ok());
    REQUIRE(check.accepted.size() == 2);
    CHECK(check.accepted[0].path == shot);
    CHECK(check.accepted[0].name == "screen shot.PNG");
    CHECK(check.accepted[0].size == 300 * kKiB);
    CHECK(check.accepted[0].type == "image/png");
    CHECK(check.accepted[1].name == "install.log");
    CHECK(check.accepted[1].type == "text/plain");
    CHECK(check.total_bytes() == 302 * kKiB);
}

TEST_CASE("a file past the size one file may have is refused by name, and the next still fits") {
    TempDir dir;
    const auto big = sized_file(dir, "disk.img", 21 * kMiB);
    const auto small = sized_file(dir, "note.txt", 10);
    const auto check = client::check_attachments({big, small}, limits(5, 100 * kMiB));
    REQUIRE(check.refused.size() == 1);
    const auto& r = check.refused[0];
    CHECK(r.reason == Reason::too_big);
    CHECK(r.name == "disk.img");
    CHECK(r.size == 21 * kMiB);
    CHECK(r.limit == 20 * kMiB);
    CHECK(r.message == "'disk.img' is 21.0 MiB; one file may be at most 20.0 MiB.");
    REQUIRE(check.accepted.size() == 1);
    CHECK(check.accepted[0].name == "note.txt");
}

TEST_CASE("files past max_files are each refused as one too many") {
    TempDir dir;
    std::vector<fs::path> files;
    for (int i = 0; i < 4; ++i) files.push_back(sized_file(dir, fmt::format("f{}.txt", i), 1));
    const auto check = client::check_attachments(files, limits(2, 20 * kMiB));
    CHECK(check.accepted.size() == 2);
    REQUIRE(check.refused.size() == 2);
    for (const auto& r : check.refused) {
        CHECK(r.reason == Reason::too_many);
        CHECK(r.limit == 2);
    }
    CHECK(check.refused[0].message ==
          "'f2.txt' is one file too many: at most 2 files can be sent at once.");
    CHECK(check.refused[1].name == "f3.txt");
}

TEST_CASE(
    "a file that would bring the total past max_total is refused, a smaller one after it taken") {
    TempDir dir;
    const auto a = sized_file(dir, "a.bin", 600 * kKiB);
    const auto b = sized_file(dir, "b.bin", 600 * kKiB);
    const auto c = sized_file(dir, "c.bin", 100 * kKiB);
    const auto check = client::check_attachments({a, b, c}, limits(5, 1 * kMiB, 1 * kMiB));
    REQUIRE(check.refused.size() == 1);
    CHECK(check.refused[0].reason == Reason::over_total);
    CHECK(check.refused[0].limit == kMiB);
    CHECK(check.refused[0].message ==
          "'b.bin' (600.0 KiB) would bring the files to 1.2 MiB; at most 1.0 MiB can be sent at "
          "once.");
    REQUIRE(check.accepted.size() == 2);
    CHECK(check.accepted[1].name == "c.bin");
    CHECK(check.total_bytes() == 700 * kKiB);
}

TEST_CASE("missing files, folders and devices are refused as unreadable, saying why") {
    TempDir dir;
    fs::create_directories(dir / "photos");
    const auto check = client::check_attachments(
        {dir / "gone.png", dir / "photos", fs::path("/dev/null")}, limits(5, 20 * kMiB));
    CHECK(check.accepted.empty());
    REQUIRE(check.refused.size() == 3);
    for (const auto& r : check.refused) CHECK(r.reason == Reason::unreadable);
    CHECK(check.refused[0].message ==
          fmt::format("'{}' cannot be read (there is no such file).", (dir / "gone.png").string()));
    CHECK_THAT(check.refused[1].message, Catch::Contains("it is a folder"));
    CHECK_THAT(check.refused[2].message, Catch::Contains("not a regular file"));
}

TEST_CASE("the same file twice is refused the second time") {
    TempDir dir;
    const auto f = sized_file(dir, "a.txt", 5);
    const auto check = client::check_attachments({f, dir / "." / "a.txt"}, limits(5, kMiB));
    CHECK(check.accepted.size() == 1);
    REQUIRE(check.refused.size() == 1);
    CHECK(check.refused[0].reason == Reason::duplicate);
    CHECK(check.refused[0].message == "'a.txt' is already attached.");
}

TEST_CASE("max_files 0: every file is refused, saying that the team takes none") {
    TempDir dir;
    const auto check = client::check_attachments({sized_file(dir, "a.txt", 5)}, limits(0, kMiB));
    REQUIRE(check.refused.size() == 1);
    CHECK(check.refused[0].message ==
          "'a.txt' cannot be sent: this support team does not take attached files.");
}

TEST_CASE("the limits come from the profile: one file may be as large as the total") {
    Profile profile;
    auto l = AttachmentLimits::from(profile);  // defaults: 5 files, 20 MiB
    CHECK(l.max_files == 5);
    CHECK(l.max_total_bytes == 20 * kMiB);
    CHECK(l.max_file_bytes == 20 * kMiB);

    profile.assistance.attachments = {3, 50};
    l = AttachmentLimits::from(profile);
    CHECK(l.max_files == 3);
    CHECK(l.max_total_bytes == 50 * kMiB);
    CHECK(l.max_file_bytes == 50 * kMiB);

    profile.assistance.attachments = {0, 4};
    l = AttachmentLimits::from(profile);
    CHECK(l.max_files == 0);
    CHECK(l.max_file_bytes == 4 * kMiB);
}

TEST_CASE("sizes read as people say them and types are guessed from names") {
    CHECK(client::format_size(0) == "0 bytes");
    CHECK(client::format_size(1023) == "1023 bytes");
    CHECK(client::format_size(1536) == "1.5 KiB");
    CHECK(client::format_size(20 * kMiB) == "20.0 MiB");
    CHECK(client::guess_content_type("a.JPG") == "image/jpeg");
    CHECK(client::guess_content_type("a.pdf") == "application/pdf");
    CHECK(client::guess_content_type("a.exe") == "application/octet-stream");
    CHECK(client::guess_content_type("README") == "application/octet-stream");
}

}  // namespace helpline::test
