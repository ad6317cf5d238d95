#pragma once
// A ticket's conversation as the customer's device sees it (docs/protocol.md,
// "Conversations"): the messages both ways and the attachments, read with
// GET /api/v1/tickets/{number}/messages; a reply (POST .../messages with an
// Idempotency-Key), a file (PUT .../attachments/{key}, streamed from the file), the read
// mark (PUT .../read) and the download of an attachment to a file.
//
// These are single calls that block for one HTTP exchange: the GUI runs them on a worker
// (the device link's post()), the CLI in line. Replies and files the customer sends go
// through the outbox (submission.h: Submitter::save_reply), which uses the raw calls at
// the bottom of this file and keeps them until the server acknowledged each.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/core/api_client.h"
#include "shared/result.h"

namespace helpline::client {

/// A file of the conversation, as the server describes it.
struct Attachment {
    std::int64_t id = 0;
    std::int64_t ticket_number = 0;
    std::int64_t message_id = 0;  ///< 0: it came with the request
    std::string name;
    std::uint64_t size = 0;
    std::string type;    ///< what the server found in the bytes
    bool image = false;  ///< shown inline (a real PNG/JPEG/GIF/WebP with a matching name)
    std::string sha256;
    bool internal = false;  ///< never in a device's answer; kept for completeness
    std::string author;     ///< "customer" | "team"
    std::string created_at;
    bool removed = false;  ///< the retention removed its bytes (name and size stay)
};

struct Message {
    std::int64_t id = 0;
    std::int64_t ticket_number = 0;
    std::string author;       ///< "customer" | "team"
    std::string author_name;  ///< the operator's name; empty for the customer
    std::string body;
    bool internal = false;
    std::string created_at;
    std::vector<Attachment> attachments;

    bool from_team() const { return author == "team"; }
};

struct Conversation {
    std::int64_t number = 0;
    std::string status;  ///< "open", "closed", "expired"
    std::string description;
    std::string created_at;
    std::vector<Message> messages;        ///< oldest first
    std::vector<Attachment> attachments;  ///< those that came with the request
    std::int64_t read_message_id = 0;     ///< the newest message this device marked read
    bool replies_reopen = false;          ///< a reply to a closed ticket reopens it

    /// The newest message's id (0 when none): what mark_read() takes after showing them.
    std::int64_t newest_message_id() const;
    /// The team's messages newer than the read mark.
    int unread_count() const;
    /// Whether the customer may reply now (open, or closed with replies_reopen).
    bool accepts_replies() const;
};

/// Text from the server made safe to show: no C0/C1 control characters (terminal escape
/// sequences, carriage returns that overwrite a line) except, when `multiline`, newlines
/// and tabs; no bidirectional overrides; cut to `max_bytes` on a character boundary.
std::string shown_text(std::string_view text, std::size_t max_bytes, bool multiline = false);

/// Parse the server's JSON; an Error (code "conversation.bad_answer") names what is wrong.
/// Texts come out through shown_text(): a message's body keeps its lines.
Result<Attachment> parse_attachment(const nlohmann::json& j);
Result<Message> parse_message(const nlohmann::json& j);
Result<Conversation> parse_conversation(const nlohmann::json& j);

/// Error codes of the calls below, beside the transport's (net_error, transfer_error).
namespace conversation_error {
inline constexpr const char* kNotFound = "conversation.not_found";    ///< 404: not this device's
inline constexpr const char* kClosed = "conversation.closed";         ///< 409 ticket_closed
inline constexpr const char* kRemoved = "conversation.removed";       ///< 410 attachment_removed
inline constexpr const char* kRefused = "conversation.refused";       ///< another 4xx
inline constexpr const char* kServer = "conversation.server";         ///< 5xx, 429, odd answers
inline constexpr const char* kBadAnswer = "conversation.bad_answer";  ///< 2xx not as specified
}  // namespace conversation_error

/// An HTTP answer that is not a success as an Error with a conversation_error code and the
/// server's detail (which, for a closed ticket, tells the customer what to do).
Error answer_error(const ApiReply& reply, std::int64_t number);

/// GET /api/v1/tickets/{number}/messages.
Result<Conversation> fetch_conversation(
    const ApiClient& api, std::int64_t number,
    std::chrono::milliseconds timeout = std::chrono::seconds(15));

/// PUT /api/v1/tickets/{number}/read: read up to `message_id` (a mark never moves back).
Status mark_read(const ApiClient& api, std::int64_t number, std::int64_t message_id,
                 std::chrono::milliseconds timeout = std::chrono::seconds(15));

/// GET /api/v1/attachments/{id} into `target` (through a temporary file beside it; mode
/// 0600). Returns the bytes written.
Result<std::uint64_t> download_attachment(const ApiClient& api, std::int64_t id,
                                          const std::filesystem::path& target);

/// POST /api/v1/tickets/{number}/messages at once, without the outbox: for a reply
/// without files that the caller retries itself with the same key.
Result<Message> send_message(const ApiClient& api, std::int64_t number, const std::string& key,
                             const std::string& body,
                             const std::vector<std::int64_t>& attachment_ids = {},
                             std::chrono::milliseconds timeout = std::chrono::seconds(15));

/// The checks the server makes of a reply's text (0–10,000 characters; not only blanks
/// unless files come with it): an empty string when it passes, else why not.
std::string check_reply_text(const std::string& body, bool with_files);

// --- The raw calls (any HTTP answer is an ApiReply), for the outbox's rules. ---

/// One file to upload: its bytes are in `file` (the outbox's copy), `key` its UUID.
struct UploadFile {
    std::string key;
    std::filesystem::path file;
    std::string name;
    std::uint64_t size = 0;
    std::string type;
};
/// PUT /api/v1/tickets/{number}/attachments/{key}, the body streamed from the file.
Result<ApiReply> put_attachment(const ApiClient& api, std::int64_t number, const UploadFile& file,
                                std::chrono::milliseconds stall = std::chrono::seconds(15));
/// POST /api/v1/tickets/{number}/messages with `Idempotency-Key: key`.
Result<ApiReply> post_message(const ApiClient& api, std::int64_t number, const std::string& key,
                              const std::string& body,
                              const std::vector<std::int64_t>& attachment_ids,
                              std::chrono::milliseconds timeout);

/// "shot%201.png": the file name as X-Helpline-File-Name carries it (UTF-8, percent-encoded).
std::string percent_encode(std::string_view text);

}  // namespace helpline::client
