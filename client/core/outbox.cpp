#include "client/core/outbox.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <random>

#include "shared/atomic_file.h"

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
    ::chmod(folder.c_str(), 0700);
    return Ok{};
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
    auto body = doc.find("body");
    if (body == doc.end() || !body->is_object()) return bad("no request body");
    return OutboxEntry{key, doc.value("created_at", ""), *body};
}

LoggedRequest log_line(const OutboxEntry& entry, std::string result) {
    LoggedRequest line;
    line.at = format_utc(std::chrono::system_clock::now());
    line.key = entry.key;
    line.result = std::move(result);
    line.request = entry.body;
    return line;
}

}  // namespace

AnswerKind classify_answer(long http_status) {
    if (http_status >= 200 && http_status < 300) return AnswerKind::delivered;
    switch (http_status) {
        case 401:  // the device must register again
        case 403:  // a proxy or a server not yet set up
        case 404:
        case 408:
        case 425:
        case 429:
            return AnswerKind::retry;
        default:
            return http_status >= 400 && http_status < 500 ? AnswerKind::refused
                                                           : AnswerKind::retry;
    }
}

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

Result<OutboxEntry> Outbox::add(nlohmann::json body) const {
    if (auto made = ensure_folder(folder_); !made) return made.error();
    OutboxEntry entry{new_uuid(), format_utc(std::chrono::system_clock::now()), std::move(body)};
    const nlohmann::json doc = {{"format", kEntryFormat},
                                {"version", 1},
                                {"key", entry.key},
                                {"created_at", entry.created_at},
                                {"body", entry.body}};
    // 0600: the request holds the customer's email and description.
    if (auto written = write_file_atomic(file_of(entry.key), as_bytes(doc.dump() + "\n"), 0600);
        !written)
        return make_error(written.error().code,
                          fmt::format("Your request could not be saved, so it was not sent: {}",
                                      written.error().message),
                          written.error().where);
    return entry;
}

std::vector<OutboxEntry> Outbox::pending(std::vector<Error>* problems) const {
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
    return Ok{};
}

Delivery Outbox::attempt(const OutboxEntry& entry, const TicketPoster& post,
                         std::chrono::milliseconds timeout) const {
    Delivery d;
    d.key = entry.key;
    auto reply = post(entry, timeout);
    if (!reply) {
        d.error = reply.error();
        d.unreachable = starts_with(d.error.code, "net.");
        return d;
    }
    d.http_status = reply->status;
    switch (classify_answer(reply->status)) {
        case AnswerKind::delivered: {
            const auto& j = reply->json;
            if (!j.is_object() || !j.contains("number") || !j["number"].is_number_integer()) {
                // Not the answer of a Helpline server; sending again with the same key is safe
                // and gets the real answer once the server is the right one.
                d.error = make_error(
                    "outbox.bad_answer",
                    fmt::format("The support server answered HTTP {} without a ticket number.",
                                reply->status));
                return d;
            }
            d.state = Delivery::State::delivered;
            d.number = j["number"].get<std::int64_t>();
            d.status = j.value("status", "open");
            d.created_at = j.value("created_at", "");
            LoggedRequest line = log_line(entry, "created");
            line.number = d.number;
            line.created_at = d.created_at;
            // Remove only what is recorded: if recording fails, the next attempt gets the same
            // answer (same key) and records it then.
            if (log_.record(line)) (void)remove(entry.key);
            return d;
        }
        case AnswerKind::refused: {
            d.state = Delivery::State::refused;
            d.problems = reply->field_errors;
            d.detail = reply->detail.empty() ? describe_rejection(*reply) : reply->detail;
            LoggedRequest line = log_line(entry, "refused");
            line.errors = d.problems;
            line.detail = d.detail;
            if (log_.record(line)) (void)remove(entry.key);
            return d;
        }
        case AnswerKind::retry:
            break;
    }
    if (reply->retry_after_s) d.retry_after = std::chrono::seconds(*reply->retry_after_s);
    d.error = make_error("outbox.retry",
                         fmt::format("The support server answered HTTP {} ({}); the request will "
                                     "be sent again.",
                                     reply->status, describe_rejection(*reply)));
    return d;
}

}  // namespace helpline::client
