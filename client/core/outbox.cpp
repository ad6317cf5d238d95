#include "client/core/outbox.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <random>

#include "shared/atomic_file.h"
#include "shared/file_io.h"

namespace helpline::client {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEntryFormat = "helpline-outbox-entry";
/// A saved request is a ticket body of at most 64 KiB plus a little wrapping.
constexpr std::uint64_t kMaxEntryFile = 1024 * 1024;

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

Status ensure_folder(const fs::path& folder) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        return make_error(
            "io.mkdir",
            fmt::format("Could not create the folder '{}' for requests waiting to be sent: {}",
                        folder.string(), ec.message()),
            folder.string());
    fs::permissions(folder, fs::perms::owner_all, fs::perm_options::replace, ec);  // 0700
    return Ok{};
}

/// The files of a version-2 entry, each with its copy in place and of its size.
std::optional<std::string> read_files(const nlohmann::json& doc, const fs::path& copies,
                                      std::vector<OutboxAttachment>& out) {
    const auto list = doc.find("attachments");
    if (list == doc.end()) return std::nullopt;
    if (!list->is_array()) return "its files are not a list";
    for (const auto& item : *list) {
        if (!item.is_object()) return "a file is not described";
        OutboxAttachment a;
        a.key = item.value("key", "");
        a.name = item.value("name", "");
        a.type = item.value("type", "");
        const auto size = item.find("size");
        if (!is_uuid(a.key) || a.name.empty() || size == item.end() || !size->is_number_unsigned())
            return "a file is not described";
        a.size = size->get<std::uint64_t>();
        std::error_code ec;
        const auto copy = copies / a.key;
        if (!fs::is_regular_file(copy, ec) || fs::file_size(copy, ec) != a.size || ec)
            return fmt::format("the saved copy of '{}' is missing or incomplete", a.name);
        out.push_back(std::move(a));
    }
    return std::nullopt;
}

Result<OutboxEntry> read_entry(const fs::path& file, const std::string& key) {
    auto bytes = read_file(file, kMaxEntryFile);
    if (!bytes) return bytes.error();
    const auto doc = nlohmann::json::parse(as_string(*bytes), nullptr, false);
    const auto bad = [&](const std::string& why) {
        return make_error(
            "outbox.damaged",
            fmt::format("The saved request '{}' cannot be read ({}).", file.string(), why),
            file.string());
    };
    if (!doc.is_object()) return bad("not JSON");
    if (doc.value("format", "") != kEntryFormat) return bad("not a Helpline outbox entry");
    if (doc.value("key", "") != key) return bad("its key does not match its file name");
    OutboxEntry entry;
    entry.key = key;
    entry.created_at = doc.value("created_at", "");
    if (!doc.contains("version") || doc["version"] == 1) {
        auto body = doc.find("body");
        if (body == doc.end() || !body->is_object()) return bad("no request body");
        entry.body = *body;
        return entry;
    }
    if (doc["version"] != 2) return bad("written by a newer client");
    // Version 2 has no "body" at the top, so that a client older than files and replies
    // (after a downgrade) sets it aside as unreadable instead of sending it without them.
    if (const auto ticket = doc.find("ticket"); ticket != doc.end() && ticket->is_object()) {
        entry.body = *ticket;
    } else if (const auto reply = doc.find("reply"); reply != doc.end() && reply->is_object()) {
        const auto number = reply->find("number");
        const auto text = reply->find("body");
        if (number == reply->end() || !number->is_number_integer() || *number <= 0 ||
            text == reply->end() || !text->is_string())
            return bad("a reply without its ticket or text");
        entry.reply_to = number->get<std::int64_t>();
        entry.body = {{"body", *text}};
    } else {
        return bad("neither a request nor a reply");
    }
    if (auto why = read_files(doc, file.parent_path() / (key + ".files"), entry.attachments))
        return bad(*why);
    return entry;
}

nlohmann::json entry_document(const OutboxEntry& entry) {
    if (!entry.is_reply() && entry.attachments.empty())
        return {{"format", kEntryFormat},
                {"version", 1},
                {"key", entry.key},
                {"created_at", entry.created_at},
                {"body", entry.body}};
    nlohmann::json doc = {{"format", kEntryFormat},
                          {"version", 2},
                          {"key", entry.key},
                          {"created_at", entry.created_at}};
    if (entry.is_reply())
        doc["reply"] = {{"number", entry.reply_to}, {"body", entry.body.value("body", "")}};
    else
        doc["ticket"] = entry.body;
    doc["attachments"] = nlohmann::json::array();
    for (const auto& a : entry.attachments)
        doc["attachments"].push_back(
            {{"key", a.key}, {"name", a.name}, {"size", a.size}, {"type", a.type}});
    return doc;
}

/// Copies `source` to `target` (temporary file, fsync, rename; mode 0600), piece by piece.
Result<std::uint64_t> copy_durably(const fs::path& source, const fs::path& target) {
    const auto failed = [&](const Error& e) {
        return make_error("io.copy", e.message, source.string());
    };
    auto in = File::open_read(source);
    if (!in) return failed(in.error());
    auto out = create_temp_beside(target);
    if (!out) return failed(out.error());
    std::vector<std::uint8_t> buffer(256 * 1024);
    std::uint64_t copied = 0;
    while (true) {
        auto n = in->read(buffer);
        if (!n) return failed(n.error());
        if (*n == 0) break;
        if (auto written = out->file().write_all(ByteView(buffer.data(), *n)); !written)
            return failed(written.error());
        copied += *n;
    }
    if (auto synced = out->file().sync(); !synced) return failed(synced.error());
    if (auto moved = out->commit(); !moved) return failed(moved.error());
    return copied;
}

}  // namespace

std::string new_uuid() {
    static thread_local std::random_device device;
    std::uint8_t b[16];
    for (std::size_t i = 0; i < sizeof b; i += 4) {
        const std::uint32_t r = device();
        for (std::size_t j = 0; j < 4; ++j) b[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
    return fmt::format(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:"
        "02x}{:02x}",
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
        b[14], b[15]);
}

bool is_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
        if (dash ? s[i] != '-' : !hex) return false;
    }
    return true;
}

namespace {

OutboxEntry new_entry(nlohmann::json body) {
    OutboxEntry entry;
    entry.key = new_uuid();
    entry.created_at = format_utc(std::chrono::system_clock::now());
    entry.body = std::move(body);
    return entry;
}

}  // namespace

Result<OutboxEntry> Outbox::add(nlohmann::json body) const {
    return save(new_entry(std::move(body)), {});
}

Result<OutboxEntry> Outbox::add(nlohmann::json body,
                                const std::vector<AttachmentFile>& files) const {
    return save(new_entry(std::move(body)), files);
}

Result<OutboxEntry> Outbox::add_reply(std::int64_t number, const std::string& text,
                                      const std::vector<AttachmentFile>& files) const {
    OutboxEntry entry = new_entry({{"body", text}});
    entry.reply_to = number;
    return save(std::move(entry), files);
}

Result<OutboxEntry> Outbox::save(OutboxEntry entry,
                                 const std::vector<AttachmentFile>& files) const {
    if (auto made = ensure_folder(folder_); !made) return made.error();
    const auto not_saved = [&](const Error& e) {
        std::error_code ec;
        fs::remove_all(files_of(entry.key), ec);
        return make_error(e.code,
                          fmt::format("{} could not be saved, so it was not sent: {}{}",
                                      entry.is_reply() ? "Your reply" : "Your request", e.message,
                                      e.code == file_error::kNoSpace
                                          ? ". The disk is full: free some space, then send it again."
                                          : ""),
                          e.where);
    };
    if (!files.empty()) {
        if (auto made = ensure_folder(files_of(entry.key)); !made) return not_saved(made.error());
        for (const auto& file : files) {
            OutboxAttachment a{new_uuid(), file.name, 0, file.type};
            // The copy's size is what is sent: the customer's file may change afterwards.
            auto copied = copy_durably(file.path, files_of(entry.key) / a.key);
            if (!copied) return not_saved(copied.error());
            a.size = *copied;
            entry.attachments.push_back(std::move(a));
        }
        sync_folder(files_of(entry.key));
    }
    // 0600: the request holds the customer's email and description. Written last: an entry
    // on disk always has all its copies.
    if (auto written = write_file_atomic(file_of(entry.key),
                                         as_bytes(entry_document(entry).dump() + "\n"), 0600);
        !written)
        return not_saved(written.error());
    return entry;
}

void Outbox::sweep_orphans() const {
    // An hour: far longer than another process takes between copying the files and
    // writing their entry.
    const auto old_enough = fs::file_time_type::clock::now() - std::chrono::hours(1);
    std::error_code ec;
    for (const auto& item : fs::directory_iterator(folder_, ec)) {
        const std::string name = item.path().filename().string();
        if (name.size() != 42 || name.substr(36) != ".files" || !is_uuid(name.substr(0, 36)))
            continue;
        const std::string key = name.substr(0, 36);
        std::error_code e;
        if (fs::exists(file_of(key), e) || fs::exists(file_of(key).string() + ".damaged", e))
            continue;
        if (fs::last_write_time(item.path(), e) > old_enough || e) continue;
        fs::remove_all(item.path(), e);
    }
}

std::vector<OutboxEntry> Outbox::pending(std::vector<Error>* problems) const {
    sweep_orphans();
    std::vector<OutboxEntry> out;
    std::error_code ec;
    for (const auto& item : fs::directory_iterator(folder_, ec)) {
        const std::string name = item.path().filename().string();
        // Only "<uuid>.json": temporary files of a write in progress start with '.', and
        // damaged entries end in ".damaged".
        if (name.size() != 41 || name.substr(36) != ".json" || !is_uuid(name.substr(0, 36)))
            continue;
        auto entry = read_entry(item.path(), name.substr(0, 36));
        if (entry) {
            out.push_back(std::move(*entry));
            continue;
        }
        if (!fs::exists(item.path())) continue;  // sent and removed by another process meanwhile
        if (starts_with(entry.error().code, "outbox.")) {
            fs::rename(item.path(), item.path().string() + ".damaged", ec);
            ec.clear();
        }
        if (problems != nullptr) problems->push_back(entry.error());
    }
    std::sort(out.begin(), out.end(), [](const OutboxEntry& a, const OutboxEntry& b) {
        return a.created_at != b.created_at ? a.created_at < b.created_at : a.key < b.key;
    });
    return out;
}

bool Outbox::contains(const std::string& key) const {
    std::error_code ec;
    return is_uuid(key) && fs::exists(file_of(key), ec);
}

Status Outbox::remove(const std::string& key) const {
    std::error_code ec;
    fs::remove(file_of(key), ec);
    if (ec)
        return make_error(
            "io.remove",
            fmt::format("Could not remove '{}': {}", file_of(key).string(), ec.message()),
            file_of(key).string());
    // The entry is gone first: copies left by a crash now are swept later (sweep_orphans).
    fs::remove_all(files_of(key), ec);
    return Ok{};
}

}  // namespace helpline::client
