// shared/file_io.h: the behaviour both platforms promise, tested through the API and
// std::filesystem only, so that the same cases run on Linux and on Windows (under Wine).

#include "shared/file_io.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "tests/support/fixtures.h"

using namespace helpline;
using helpline::test::read_text;
using helpline::test::TempDir;
using helpline::test::wait_for;
using helpline::test::write_text;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

/// Whether this is a POSIX system (else Windows), told without a platform test in the code.
constexpr bool kPosix = fs::path::preferred_separator == '/';

/// A file's POSIX permission bits; none on Windows, where FileMode means nothing (its
/// std::filesystem reports the read-only attribute only).
std::optional<fs::perms> posix_mode(const fs::path& path) {
    if (!kPosix) return std::nullopt;
    return fs::status(path).permissions() & fs::perms::mask;
}

/// Everything from the current position to the end.
std::string read_rest(File& file) {
    std::string text;
    std::uint8_t buffer[7];  // small: several reads
    while (true) {
        auto n = file.read(buffer);
        REQUIRE(n.ok());
        if (*n == 0) return text;
        text.append(as_string(ByteView(buffer, *n)));
    }
}

std::string read_at(File& file, std::size_t size, std::uint64_t offset) {
    std::string text(size, '\0');
    auto n = file.read_at(std::span(reinterpret_cast<std::uint8_t*>(text.data()), size), offset);
    REQUIRE(n.ok());
    text.resize(*n);
    return text;
}

std::size_t files_in(const fs::path& folder) {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("a new file is written, sized and read back to its end") {
    TempDir dir;
    auto file = File::create_new(dir / "f", 0600);
    REQUIRE(file.ok());
    CHECK(file->is_open());
    REQUIRE(file->write_all(as_bytes("hello, file")).ok());
    CHECK(file->size().value() == 11);
    CHECK(file->is_regular_file().value());
    REQUIRE(file->sync().ok());
    REQUIRE(file->close().ok());
    CHECK_FALSE(file->is_open());
    CHECK(file->close().ok());  // closing again does nothing

    auto again = File::open_read(dir / "f");
    REQUIRE(again.ok());
    CHECK(read_rest(*again) == "hello, file");
    CHECK(read_rest(*again).empty());  // at the end, reads return 0
}

TEST_CASE("creating a file whose name is taken fails as such and leaves it alone") {
    TempDir dir;
    write_text(dir / "taken", "mine");
    auto file = File::create_new(dir / "taken", 0600);
    REQUIRE_FALSE(file.ok());
    CHECK(file.error().code == file_error::kExists);
    CHECK(read_text(dir / "taken") == "mine");
}

TEST_CASE("opening a missing file fails as not found, naming the path") {
    TempDir dir;
    for (const fs::path& missing : {dir / "nothing", dir / "no-folder" / "nothing"}) {
        auto file = File::open_read(missing);
        REQUIRE_FALSE(file.ok());
        CHECK(file.error().code == file_error::kNotFound);
        CHECK(file.error().where == missing.string());
        CHECK_THAT(file.error().message, Catch::Contains("Could not open '" + missing.string()));
    }
    CHECK(File::create_new(dir / "no-folder" / "new", 0600).error().code == file_error::kNotFound);
}

TEST_CASE("a read at an offset does not move the position of the next read") {
    TempDir dir;
    write_text(dir / "f", "0123456789");
    auto file = File::open_read(dir / "f");
    REQUIRE(file.ok());
    std::uint8_t two[2];
    REQUIRE(file->read(two).value() == 2);
    CHECK(read_at(*file, 3, 5) == "567");
    CHECK(read_at(*file, 5, 8) == "89");   // what there is
    CHECK(read_at(*file, 5, 10).empty());  // at or past the end
    CHECK(read_at(*file, 5, 1000).empty());
    CHECK(read_rest(*file) == "23456789");
}

TEST_CASE("a write at an offset does not move the position of the next write") {
    TempDir dir;
    auto file = File::create_new(dir / "f", 0600);
    REQUIRE(file.ok());
    REQUIRE(file->write_all(as_bytes("abcdef")).ok());
    REQUIRE(file->write_at(as_bytes("XY"), 1).ok());
    REQUIRE(file->write_all(as_bytes("gh")).ok());
    REQUIRE(file->close().ok());
    CHECK(read_text(dir / "f") == "aXYdefgh");
}

TEST_CASE("appends land at the end, also when two handles append in turn") {
    TempDir dir;
    write_text(dir / "log", "first\n");
    auto a = File::open_append(dir / "log", 0600);
    auto b = File::open_append(dir / "log", 0600);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(a->write_all(as_bytes("a1\n")).ok());
    REQUIRE(b->write_all(as_bytes("b1\n")).ok());
    REQUIRE(a->write_all(as_bytes("a2\n")).ok());
    REQUIRE(a->sync().ok());
    CHECK(read_text(dir / "log") == "first\na1\nb1\na2\n");
}

TEST_CASE("a log opened to read and append is created when missing, searched, then appended to") {
    TempDir dir;
    auto log = File::open_read_append(dir / "requests.log", 0600);
    REQUIRE(log.ok());
    CHECK(log->size().value() == 0);
    if (auto mode = posix_mode(dir / "requests.log"))
        CHECK(*mode == (fs::perms::owner_read | fs::perms::owner_write));
    REQUIRE(log->write_all(as_bytes("one\n")).ok());
    CHECK(read_at(*log, 100, 0) == "one\n");
    REQUIRE(log->write_all(as_bytes("two\n")).ok());
    CHECK(read_at(*log, 4, log->size().value() - 4) == "two\n");
    CHECK(read_text(dir / "requests.log") == "one\ntwo\n");
}

TEST_CASE("a folder is no regular file") {
    TempDir dir;
    auto folder = File::open_read(dir.path());
    // POSIX opens a folder and says what it is; Windows does not open it as a file.
    if (folder) CHECK_FALSE(folder->is_regular_file().value());
}

TEST_CASE("a file open for reading can meanwhile be renamed and deleted") {
    TempDir dir;
    write_text(dir / "f", "contents");
    auto file = File::open_read(dir / "f");
    REQUIRE(file.ok());
    fs::rename(dir / "f", dir / "g");
    CHECK(fs::remove(dir / "g"));
    CHECK(read_rest(*file) == "contents");
}

TEST_CASE("the mode of a new file is as asked, and set_mode changes it") {
    TempDir dir;
    auto file = File::create_new(dir / "f", 0600);
    REQUIRE(file.ok());
    if (auto mode = posix_mode(dir / "f"))
        CHECK(*mode == (fs::perms::owner_read | fs::perms::owner_write));
    REQUIRE(file->set_mode(0640).ok());  // also where it means nothing
    if (auto mode = posix_mode(dir / "f"))
        CHECK(*mode == (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
}

TEST_CASE("a moved file keeps its handle and the moved-from one holds none") {
    TempDir dir;
    auto made = File::create_new(dir / "f", 0600);
    REQUIRE(made.ok());
    File file = std::move(*made);
    CHECK(file.is_open());
    CHECK_FALSE(made->is_open());
    CHECK(file.name() == dir / "f");
    File other;
    CHECK_FALSE(other.is_open());
    other = std::move(file);
    REQUIRE(other.write_all(as_bytes("x")).ok());
    REQUIRE(other.close().ok());
    CHECK(read_text(dir / "f") == "x");
}

TEST_CASE("a temporary file beside its target is removed unless committed") {
    TempDir dir;
    fs::path temp_path;
    {
        auto temp = create_temp_beside(dir / "target.json");
        REQUIRE(temp.ok());
        temp_path = temp->path();
        CHECK(temp_path.parent_path() == dir.path());
        CHECK(temp_path.filename().string().rfind(".target.json.tmp-", 0) == 0);
        CHECK(temp->file().name() == dir / "target.json");  // errors name the target
        if (auto mode = posix_mode(temp_path))
            CHECK(*mode == (fs::perms::owner_read | fs::perms::owner_write));
        REQUIRE(temp->file().write_all(as_bytes("half")).ok());
        CHECK(fs::exists(temp_path));
    }
    CHECK_FALSE(fs::exists(temp_path));
    CHECK(files_in(dir.path()) == 0);
}

TEST_CASE("a committed temporary file replaces its target") {
    TempDir dir;
    write_text(dir / "target", "old");
    auto temp = create_temp_beside(dir / "target", "part");
    REQUIRE(temp.ok());
    CHECK(temp->path().filename().string().rfind(".target.part-", 0) == 0);
    REQUIRE(temp->file().write_all(as_bytes("new")).ok());
    REQUIRE(temp->file().sync().ok());
    REQUIRE(temp->commit().ok());
    sync_folder(dir.path());
    CHECK(read_text(dir / "target") == "new");
    CHECK(files_in(dir.path()) == 1);
}

TEST_CASE("a file open for reading is replaced, its reader keeping the old contents") {
    TempDir dir;
    write_text(dir / "target", "old");
    auto reader = File::open_read(dir / "target");
    REQUIRE(reader.ok());
    auto temp = create_temp_beside(dir / "target");
    REQUIRE(temp.ok());
    REQUIRE(temp->file().write_all(as_bytes("new")).ok());
    auto committed = temp->commit();
    if (!committed) {
        // Only POSIX-semantics renames replace an open file on Windows; without them (before
        // Windows 10 1607, on FAT, under Wine 8) the rename is refused and the target stays.
        CHECK_FALSE(kPosix);
        CHECK(committed.error().code == file_error::kRename);
        CHECK(read_text(dir / "target") == "old");
        return;
    }
    CHECK(read_text(dir / "target") == "new");
    CHECK(files_in(dir.path()) == 1);
    CHECK(read_rest(*reader) == "old");
}

TEST_CASE("two temporary files for one target have their own names") {
    TempDir dir;
    auto a = create_temp_beside(dir / "t");
    auto b = create_temp_beside(dir / "t");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->path() != b->path());
    CHECK(files_in(dir.path()) == 2);
}

TEST_CASE("a temporary file for a target in a missing folder fails, naming the target") {
    TempDir dir;
    auto temp = create_temp_beside(dir / "no" / "such" / "f");
    REQUIRE_FALSE(temp.ok());
    CHECK(temp.error().code == file_error::kNotFound);
    CHECK_THAT(temp.error().message, Catch::Contains((dir / "no" / "such" / "f").string()));
}

TEST_CASE("a file with a name beyond ASCII is created, replaced and read") {
    TempDir dir;
    const fs::path name = dir / fs::path(u8"caf\u00e9 \u65e5\u672c \u00fc.txt");
    auto temp = create_temp_beside(name);
    REQUIRE(temp.ok());
    REQUIRE(temp->file().write_all(as_bytes("bonjour")).ok());
    REQUIRE(temp->commit().ok());
    CHECK(fs::exists(name));
    auto file = File::open_read(name);
    REQUIRE(file.ok());
    CHECK(read_rest(*file) == "bonjour");
}

TEST_CASE("replacing from a missing file fails and names both files") {
    TempDir dir;
    write_text(dir / "to", "kept");
    auto replaced = replace_file(dir / "from", dir / "to");
    REQUIRE_FALSE(replaced.ok());
    CHECK(replaced.error().code == file_error::kRename);
    CHECK_THAT(replaced.error().message,
               Catch::Contains((dir / "from").string()) && Catch::Contains((dir / "to").string()));
    CHECK(read_text(dir / "to") == "kept");
}

TEST_CASE("a range is copied from the source's position, and a short source fails") {
    TempDir dir;
    write_text(dir / "src", "0123456789");
    auto in = File::open_read(dir / "src");
    auto out = File::create_new(dir / "out", 0600);
    REQUIRE(in.ok());
    REQUIRE(out.ok());
    REQUIRE(out->write_all(as_bytes(">")).ok());
    REQUIRE(copy_range(*in, *out, 4).ok());
    REQUIRE(copy_range(*in, *out, 3).ok());  // goes on where the first copy stopped
    auto too_long = copy_range(*in, *out, 10);
    REQUIRE_FALSE(too_long.ok());
    CHECK(too_long.error().code == file_error::kRead);
    CHECK_THAT(too_long.error().message, Catch::Contains((dir / "src").string()));
    REQUIRE(out->close().ok());
    CHECK(read_text(dir / "out").substr(0, 8) == ">0123456");
}

TEST_CASE("an exclusive lock waits until the other holder closes the file") {
    TempDir dir;
    auto first = File::open_read_append(dir / "log", 0600);
    auto second = File::open_read_append(dir / "log", 0600);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    REQUIRE(first->lock(FileLock::exclusive).ok());
    std::atomic<bool> locked{false};
    std::thread other([&] {
        if (second->lock(FileLock::exclusive)) locked = true;
    });
    CHECK_FALSE(wait_for([&] { return locked.load(); }, 300ms));
    REQUIRE(first->close().ok());
    CHECK(wait_for([&] { return locked.load(); }));
    other.join();
}

TEST_CASE("shared locks do not wait for each other, an exclusive one waits for them") {
    TempDir dir;
    write_text(dir / "log", "line\n");
    auto reader = File::open_read(dir / "log");
    auto other_reader = File::open_read(dir / "log");
    auto writer = File::open_read_append(dir / "log", 0600);
    REQUIRE(reader.ok());
    REQUIRE(other_reader.ok());
    REQUIRE(writer.ok());
    REQUIRE(reader->lock(FileLock::shared).ok());
    std::atomic<bool> shared_locked{false};
    std::atomic<bool> exclusive_locked{false};
    std::thread shared([&] {
        if (other_reader->lock(FileLock::shared)) shared_locked = true;
    });
    CHECK(wait_for([&] { return shared_locked.load(); }));
    shared.join();
    CHECK(read_rest(*other_reader) == "line\n");  // a shared lock lets its holders read
    std::thread exclusive([&] {
        if (writer->lock(FileLock::exclusive)) exclusive_locked = true;
    });
    CHECK_FALSE(wait_for([&] { return exclusive_locked.load(); }, 300ms));
    REQUIRE(reader->close().ok());
    REQUIRE(other_reader->close().ok());
    CHECK(wait_for([&] { return exclusive_locked.load(); }));
    exclusive.join();
}
