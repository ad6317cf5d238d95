#pragma once
// A ticket's conversation (docs/protocol.md "Conversations"): the messages after the
// request's description, the attachments that came with the request or a message, and
// how far each reader has read. Plain data; the store keeps it (sql_store_conversation.cpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/store/model.h"

namespace helpline::server {

/// Who wrote a message or sent a file: the customer (through their device) or the team.
enum class Author { customer, team };
std::string_view to_string(Author a);
std::optional<Author> parse_author(std::string_view s);

struct Message {
    std::int64_t id = 0;
    TicketNumber ticket_number = 0;
    Author author = Author::customer;
    std::optional<UserId> user_id;  ///< the team member who wrote it
    std::string body;
    bool internal = false;  ///< a team note: never shown to the device
    Timestamp created_at = 0;
};

struct Attachment {
    std::int64_t id = 0;
    TicketNumber ticket_number = 0;
    std::optional<std::int64_t> message_id;  ///< none: it came with the request
    Author author = Author::customer;
    std::optional<UserId> user_id;
    std::string upload_key;     ///< the client's idempotency key for the file
    std::string name;           ///< as the client named it (cleaned: attachment_file.h)
    std::string declared_type;  ///< the client's Content-Type: shown, never trusted
    std::string type;           ///< found in the bytes
    bool image = false;         ///< served inline (a raster image whose name agrees)
    std::int64_t size = 0;
    std::string sha256;  ///< lower-case hex of the bytes
    bool internal = false;
    Timestamp created_at = 0;
    std::optional<Timestamp> removed_at;  ///< the retention removed its bytes
};

struct NewMessage {
    TicketNumber ticket_number = 0;
    Author author = Author::customer;
    std::optional<UserId> user_id;
    std::string body;
    bool internal = false;
    std::vector<std::int64_t> attachment_ids;
    Timestamp created_at = 0;
    std::string idempotency_key;
    std::string request_hash;  ///< of the request's body: the same key with another is refused
    /// A customer's message to a closed or expired ticket reopens it (--reopen-on-reply).
    bool reopen = false;
};

struct PostedMessage {
    Message message;
    std::vector<Attachment> attachments;
    bool created = true;             ///< false: the key was seen, this is the first answer
    std::optional<Ticket> reopened;  ///< the ticket, when this message reopened it
    Ticket ticket;                   ///< the ticket after the message
};

/// An upload to store: its metadata, and the file its bytes were spooled to.
struct NewAttachment {
    TicketNumber ticket_number = 0;
    Author author = Author::customer;
    std::optional<UserId> user_id;
    std::string upload_key;
    std::string name;
    std::string declared_type;
    std::string type;
    bool image = false;
    std::int64_t size = 0;
    std::string sha256;
    bool internal = false;
    Timestamp created_at = 0;
    bool allow_closed = false;  ///< a customer's upload when replies reopen tickets
};

struct StoredAttachment {
    Attachment attachment;
    bool created = true;  ///< false: this key was stored before, with these bytes
};

/// At most this many attachments on one ticket (422 attachments_full past it).
inline constexpr int kMaxAttachmentsPerTicket = 100;
/// Bytes per row of blob_chunks.
inline constexpr std::size_t kBlobChunkSize = 256 * 1024;

}  // namespace helpline::server
