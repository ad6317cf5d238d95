#pragma once
// The files a customer attaches to a request or a reply, checked against the profile's
// limits (assistance.attachments: how many, how much in all) before anything is saved or
// sent, so that the customer hears at once, per file, what cannot go. The server has its
// own limit per file (--attachment-max-mib, 20 MiB by default), which the client cannot
// know: a file past it is refused by the server from its Content-Length, before its bytes
// are sent, and the request or reply goes without it.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/profile.h"

namespace helpline::client {

struct AttachmentLimits {
    int max_files = 5;
    std::uint64_t max_total_bytes = 20ull * 1024 * 1024;
    std::uint64_t max_file_bytes = 20ull * 1024 * 1024;

    /// The profile's assistance.attachments; one file may be as large as the total.
    static AttachmentLimits from(const Profile& profile);
};

/// A file that passed the check: what will be saved and sent.
struct AttachmentFile {
    std::filesystem::path path;
    std::string name;  ///< the file's own name, as the team will see it
    std::uint64_t size = 0;
    std::string type;  ///< guessed from the name ("image/png"); the server finds its own
};

/// A file that did not pass, with one sentence for the customer. `reason` lets a GUI word
/// it in the customer's language from the same facts.
struct RefusedAttachment {
    enum class Reason {
        unreadable,  ///< missing, a folder, no permission to read it
        too_big,     ///< alone larger than a file may be (`limit`, bytes)
        too_many,    ///< past max_files (`limit` files); max_files 0: none at all
        over_total,  ///< it would bring the total past max_total (`limit` bytes)
        duplicate,   ///< the same file twice
    };
    std::filesystem::path path;
    std::string name;
    Reason reason = Reason::unreadable;
    std::uint64_t size = 0;   ///< when known
    std::uint64_t limit = 0;  ///< the limit it broke: bytes, or files for too_many
    std::string message;      ///< "'big.iso' is 700.0 MiB; one file may be at most 20.0 MiB."
};

struct AttachmentCheck {
    std::vector<AttachmentFile> accepted;
    std::vector<RefusedAttachment> refused;
    bool ok() const { return refused.empty(); }
    std::uint64_t total_bytes() const;
};

/// Checks `files` in order: each is taken while the limits allow, else refused with its
/// reason (one message per refused file; the ones taken before it stay taken).
AttachmentCheck check_attachments(const std::vector<std::filesystem::path>& files,
                                  const AttachmentLimits& limits);

/// "512 bytes", "3.4 KiB", "12.0 MiB".
std::string format_size(std::uint64_t bytes);

/// A Content-Type for the file's name ("shot.PNG" -> "image/png"); the server sniffs the
/// bytes and never trusts it, so this is only what the client believes.
std::string guess_content_type(const std::string& name);

}  // namespace helpline::client
