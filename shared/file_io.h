#pragma once
// Files the same way on Linux and Windows: an open File (a descriptor on POSIX, a HANDLE on
// Windows) and the few operations on paths that durable writes need — a temporary file
// beside its target, its rename over the target, the sync of their folder. The platform
// code is in file_io_posix.cpp and file_io_win32.cpp, chosen by CMake; file_io.cpp is the
// part both share.
//
// Errors name the file and say what the system said: "Could not write '/x/y': No space left
// on device". Their codes are below (file_error); the two that callers tell apart are
// kNotFound and kExists.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <utility>

#include "shared/bytes.h"
#include "shared/result.h"

namespace helpline {

namespace file_error {
inline constexpr const char* kNotFound = "io.not_found";  ///< opening: no such file or folder
inline constexpr const char* kExists = "io.exists";       ///< creating: the name is taken
inline constexpr const char* kOpen = "io.open";           ///< opening or creating, other causes
inline constexpr const char* kRead = "io.read";
inline constexpr const char* kWrite = "io.write";  ///< also a failed sync, mode change or close
inline constexpr const char* kLock = "io.lock";
inline constexpr const char* kRename = "io.rename";
/// The disk (or the user's quota) is full: any of the above, for that reason.
inline constexpr const char* kNoSpace = "io.no_space";
}  // namespace file_error

/// POSIX permission bits (0600, 0644, 0755) of a file this process creates. They mean nothing
/// on Windows, where the client's files are private by the ACL of the per-user profile
/// folders they are in (%LOCALAPPDATA%, %APPDATA%), which new files inherit.
using FileMode = unsigned int;

class TempFile;

/// Creates a TempFile (below) for `target`, whose folder must exist; `kind` names what it is
/// ("tmp", "part") for whoever finds one left by a crash.
Result<TempFile> create_temp_beside(const std::filesystem::path& target,
                                    std::string_view kind = "tmp");

/// How File::lock() shares the file with other processes' locks.
enum class FileLock { shared, exclusive };

/// An open file, closed at scope end; move-only, used by one thread at a time. POSIX: a
/// descriptor opened with O_CLOEXEC. Windows: a handle that child processes do not inherit,
/// opened with FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE so that, as on POSIX,
/// a file open here can still be read, written, renamed or deleted by others.
class File {
  public:
    /// Holds no file.
    File() = default;
    /// Closes the file; an error then is lost (close() reports it).
    ~File();
    File(File&& other) noexcept;
    File& operator=(File&& other) noexcept;
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    /// Opens an existing file for reading. Never waits to open (O_NONBLOCK: a FIFO opens at
    /// once; reading it may then fail). Windows opens no folder this way.
    static Result<File> open_read(const std::filesystem::path& path);
    /// Creates a file for reading and writing, with `mode` (less the umask); fails with
    /// kExists when the name is taken (O_EXCL, CREATE_NEW).
    static Result<File> create_new(const std::filesystem::path& path, FileMode mode);
    /// Opens a file for writing at its end (O_APPEND, FILE_APPEND_DATA), created with `mode`
    /// when missing: each write lands at the end even when others append too.
    static Result<File> open_append(const std::filesystem::path& path, FileMode mode);
    /// Like open_append(), and readable (read_at()): a log searched before it is appended to.
    static Result<File> open_read_append(const std::filesystem::path& path, FileMode mode);

    bool is_open() const { return native_ != kNone; }
    /// The path error messages name: the one opened (a temporary file's target, for
    /// create_temp_beside()).
    const std::filesystem::path& name() const { return name_; }

    /// Reads at the current position into `buffer`: the number of bytes read, 0 at the end.
    Result<std::size_t> read(std::span<std::uint8_t> buffer);
    /// Reads at `offset`, not moving the position read() and write_all() use: the number of
    /// bytes read, 0 at or past the end.
    Result<std::size_t> read_at(std::span<std::uint8_t> buffer, std::uint64_t offset);
    /// Writes all of `data` at the current position (at the end when opened for appending).
    Status write_all(ByteView data);
    /// Writes all of `data` at `offset`, not moving the position; not for a file opened for
    /// appending (Linux would append).
    Status write_at(ByteView data, std::uint64_t offset);

    Result<std::uint64_t> size() const;
    /// Whether it is a regular file: not a folder, a device, a FIFO or a socket.
    Result<bool> is_regular_file() const;
    /// Sets the permission bits (fchmod: not limited by the umask); nothing on Windows.
    Status set_mode(FileMode mode);
    /// Makes what was written durable (fsync, FlushFileBuffers).
    Status sync();
    /// Waits for a lock on the whole file (flock, LockFileEx), held until it is closed. On
    /// Linux only other lockers wait; on Windows the lock is also enforced on reads and
    /// writes: an exclusive one stops those of other handles, a shared one all writes.
    Status lock(FileLock kind);
    /// Closes the file now, reporting what the system reports (a delayed write error).
    Status close();

  private:
    friend Result<TempFile> create_temp_beside(const std::filesystem::path& target,
                                               std::string_view kind);
    friend Status copy_range(File& in, File& out, std::uint64_t length);
    static constexpr std::intptr_t kNone = -1;  ///< fd -1, INVALID_HANDLE_VALUE

    File(std::intptr_t native, std::filesystem::path name)
        : native_(native), name_(std::move(name)) {}
    /// create_new() of `path`, with `name` in messages.
    static Result<File> create_named(const std::filesystem::path& path, FileMode mode,
                                     const std::filesystem::path& name);

    std::intptr_t native_ = kNone;  ///< the descriptor or the HANDLE
    std::filesystem::path name_;
};

/// A new file beside a target, written and then renamed over it so that the target is never
/// seen half-written: "." + the target's name + "." + `kind` + "-" + 6 random letters, in the
/// target's folder, mode 0600. Removed at scope end unless committed.
class TempFile {
  public:
    ~TempFile();
    TempFile(TempFile&& other) noexcept;
    TempFile& operator=(TempFile&&) = delete;
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    /// The open file; its errors name the target.
    File& file() { return file_; }
    const std::filesystem::path& path() const { return path_; }

    /// Closes the file (reporting its errors) and renames it over the target
    /// (replace_file()). Durable only after file().sync() before and sync_folder() after.
    Status commit();

  private:
    friend Result<TempFile> create_temp_beside(const std::filesystem::path& target,
                                               std::string_view kind);
    TempFile(File file, std::filesystem::path path, std::filesystem::path target)
        : file_(std::move(file)), path_(std::move(path)), target_(std::move(target)) {}

    File file_;
    std::filesystem::path path_;
    std::filesystem::path target_;
    bool owned_ = true;  ///< removed at scope end: not committed, not moved from
};

/// Renames `from` over `to`, replacing it at once: rename(2); on Windows
/// MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH), and when that is denied
/// (most often: `to` is open elsewhere) a POSIX-semantics rename where the system has it
/// (Windows 10 1607 and later, NTFS), which leaves the replaced file to its readers.
Status replace_file(const std::filesystem::path& from, const std::filesystem::path& to);

/// Makes the names in `folder` durable (fsync of the folder: after a rename into it), best
/// effort. Nothing on Windows, whose file systems journal their names.
void sync_folder(const std::filesystem::path& folder);

/// Copies `length` bytes from `in`'s position to `out`'s, in the kernel where it can
/// (copy_file_range on Linux); fails (kRead) when `in` ends before.
Status copy_range(File& in, File& out, std::uint64_t length);

}  // namespace helpline
