#include "client/core/attachment_limits.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "shared/file_io.h"

namespace helpline::client {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kMiB = 1024 * 1024;

/// The size of `path` when the customer may read it as a regular file; else why not, in a
/// message naming it.
Result<std::uint64_t> readable_size(const fs::path& path) {
    const auto refused = [&](std::string_view why) {
        return make_error(file_error::kOpen,
                          fmt::format("'{}' cannot be read ({}).", path.string(), why),
                          path.string());
    };
    constexpr std::string_view kFolder = "it is a folder; attach the files in it";
    std::error_code ec;
    // Opened, not only stat'ed: a file the customer cannot read is refused now, not when
    // its copy is made.
    auto file = File::open_read(path);
    if (!file) {
        if (file.error().code == file_error::kNotFound) return refused("there is no such file");
        if (fs::is_directory(path, ec)) return refused(kFolder);  // Windows opens no folder
        return file.error();
    }
    auto regular = file->is_regular_file();
    if (!regular) return regular.error();
    if (!*regular)
        return refused(fs::is_directory(path, ec) ? kFolder : "it is not a regular file");
    return file->size();
}

}  // namespace

AttachmentLimits AttachmentLimits::from(const Profile& profile) {
    const auto& a = profile.assistance.attachments;
    AttachmentLimits limits;
    limits.max_files = std::clamp(a.max_files, 0, kMaxAttachmentFiles);
    limits.max_total_bytes = static_cast<std::uint64_t>(std::clamp(
                                 a.max_total_mib, kMinAttachmentTotalMib, kMaxAttachmentTotalMib)) *
                             kMiB;
    limits.max_file_bytes = limits.max_total_bytes;
    return limits;
}

std::uint64_t AttachmentCheck::total_bytes() const {
    std::uint64_t total = 0;
    for (const auto& f : accepted) total += f.size;
    return total;
}

AttachmentCheck check_attachments(const std::vector<fs::path>& files,
                                  const AttachmentLimits& limits) {
    AttachmentCheck out;
    std::uint64_t total = 0;
    std::vector<fs::path> seen;
    for (const auto& path : files) {
        RefusedAttachment refused;
        refused.path = path;
        refused.name = path.filename().string();
        if (refused.name.empty()) refused.name = path.string();
        const auto refuse = [&](RefusedAttachment::Reason reason, std::string message) {
            refused.reason = reason;
            refused.message = std::move(message);
            out.refused.push_back(std::move(refused));
        };

        std::error_code ec;
        const fs::path canonical = fs::weakly_canonical(path, ec);
        const fs::path& identity = ec ? path : canonical;
        const auto readable = readable_size(path);
        if (!readable) {
            refuse(RefusedAttachment::Reason::unreadable, readable.error().message);
            continue;
        }
        const std::uint64_t size = *readable;
        refused.size = size;
        if (std::find(seen.begin(), seen.end(), identity) != seen.end()) {
            refuse(RefusedAttachment::Reason::duplicate,
                   fmt::format("'{}' is already attached.", refused.name));
            continue;
        }
        if (size > limits.max_file_bytes) {
            refused.limit = limits.max_file_bytes;
            refuse(RefusedAttachment::Reason::too_big,
                   fmt::format("'{}' is {}; one file may be at most {}.", refused.name,
                               format_size(size), format_size(limits.max_file_bytes)));
            continue;
        }
        if (out.accepted.size() >= static_cast<std::size_t>(std::max(limits.max_files, 0))) {
            refused.limit = static_cast<std::uint64_t>(std::max(limits.max_files, 0));
            refuse(RefusedAttachment::Reason::too_many,
                   limits.max_files <= 0
                       ? fmt::format("'{}' cannot be sent: this support team does not take "
                                     "attached files.",
                                     refused.name)
                       : fmt::format("'{}' is one file too many: at most {} files can be sent "
                                     "at once.",
                                     refused.name, limits.max_files));
            continue;
        }
        if (total + size > limits.max_total_bytes) {
            refused.limit = limits.max_total_bytes;
            refuse(RefusedAttachment::Reason::over_total,
                   fmt::format("'{}' ({}) would bring the files to {}; at most {} can be sent "
                               "at once.",
                               refused.name, format_size(size), format_size(total + size),
                               format_size(limits.max_total_bytes)));
            continue;
        }
        total += size;
        seen.push_back(identity);
        out.accepted.push_back({path, refused.name, size, guess_content_type(refused.name)});
    }
    return out;
}

std::string format_size(std::uint64_t bytes) {
    if (bytes < 1024) return fmt::format("{} bytes", bytes);
    if (bytes < kMiB) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / static_cast<double>(kMiB));
}

std::string guess_content_type(const std::string& name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kTypes = {{
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".pdf", "application/pdf"},
        {".txt", "text/plain"},
        {".log", "text/plain"},
        {".csv", "text/csv"},
        {".json", "application/json"},
        {".xml", "application/xml"},
        {".zip", "application/zip"},
        {".gz", "application/gzip"},
        {".doc", "application/msword"},
        {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {".odt", "application/vnd.oasis.opendocument.text"},
    }};
    std::string ext = fs::path(name).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& [suffix, type] : kTypes)
        if (ext == suffix) return std::string(type);
    return "application/octet-stream";
}

}  // namespace helpline::client
