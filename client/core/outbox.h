#pragma once
// The outbox: every request the customer sends is first saved here (one file per request,
// named by a fresh UUID that is also its Idempotency-Key; temp file + fsync + rename), and
// removed only once the server has answered it. A crash of the client or the server, or
// a network cut, at any moment therefore neither loses a request nor makes two tickets:
// the client sends the same file with the same key until it gets an answer.
//
// Removal rules (classify_answer):
//   2xx                              delivered: recorded in requests.log, file removed
//   400, 413, 415, 422 and other 4xx refused: recorded with the reasons, file removed
//   401, 403, 404, 408, 425, 429     kept and retried: not a verdict on the request (the
//                                    device must register again, a proxy or a server
//                                    being set up answered, or "slow down")
//   5xx, no answer at all            kept and retried
//
// A request with files, or a reply (with or without files), is one entry too: the files
// are copied into "<key>.files/" (temp file, fsync, rename) before the entry itself is
// written, each with a UUID of its own chosen then — its upload key. Sending it is a few
// steps (a request: the ticket, then each file; a reply: each file, then the message), each
// idempotent by its key, so an attempt cut anywhere is simply made again from the start:
// what the server already has answers 200 with what it stored, and nothing is duplicated.
// A file is re-sent whole, never resumed (at most 20 MiB; see docs/client.md). The entry
// leaves the outbox once every step has an answer that settles it.

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/core/api_client.h"
#include "client/core/attachment_limits.h"
#include "client/core/conversation.h"
#include "client/core/my_requests.h"
#include "shared/result.h"

namespace helpline::client {

/// A file saved with an entry: its copy is `<key>.files/<this key>` in the outbox.
struct OutboxAttachment {
    std::string key;  ///< a UUID: the upload's key (PUT .../attachments/{key})
    std::string name;
    std::uint64_t size = 0;
    std::string type;
};

struct OutboxEntry {
    std::string key;         ///< a UUID: the Idempotency-Key and the file name (<key>.json)
    std::string created_at;  ///< when the customer sent it (UTC)
    /// A request: the POST /api/v1/tickets body. A reply: {"body": text}.
    nlohmann::json body;
    std::int64_t reply_to = 0;  ///< a reply to this ticket; 0: a new request
    std::vector<OutboxAttachment> attachments;

    bool is_reply() const { return reply_to != 0; }
};

/// What an answer of the server means for a saved request.
enum class AnswerKind { delivered, refused, retry };
AnswerKind classify_answer(long http_status);

/// How an attempt to send a saved request ended.
struct Delivery {
    enum class State { delivered, refused, pending };
    State state = State::pending;
    std::string key;
    long http_status = 0;  ///< the server's answer; 0 when there was none

    // delivered (number: also a reply's ticket, and a request's whose files wait)
    std::int64_t number = 0;
    std::string status;
    std::string created_at;
    std::int64_t message_id = 0;  ///< a reply: its message

    /// The entry's files and how each went: `id` once the server has it, else `problem`
    /// when it refused it (the rest of the entry went).
    struct File {
        std::string name;
        std::int64_t id = 0;
        std::string problem;
    };
    std::vector<File> files;

    // refused
    std::vector<FieldProblem> problems;  ///< per field, as the server named them
    std::string detail;

    // pending
    Error error;                                      ///< why it is not sent yet
    std::optional<std::chrono::seconds> retry_after;  ///< the server asked to wait this long
    bool unreachable = false;                         ///< no answer at all (transport failure)

    bool done() const { return state != State::pending; }
};

/// Sends one saved request (POST /api/v1/tickets with its key) within `timeout`. Injected,
/// so that the rules can be tested without a server; make_ticket_poster() is the real one.
using TicketPoster =
    std::function<Result<ApiReply>(const OutboxEntry& entry, std::chrono::milliseconds timeout)>;

/// The other steps of an entry with files or of a reply; make_outbox_transport()
/// (submission.h) is the real one. `timeout` bounds one exchange (an upload: no progress).
using AttachmentPutter = std::function<Result<ApiReply>(std::int64_t number, const UploadFile& file,
                                                        std::chrono::milliseconds timeout)>;
using MessagePoster = std::function<Result<ApiReply>(
    const OutboxEntry& entry, const std::vector<std::int64_t>& attachment_ids,
    std::chrono::milliseconds timeout)>;
struct OutboxTransport {
    TicketPoster post_ticket;
    AttachmentPutter put_attachment;  ///< may be empty: entries with files then wait
    MessagePoster post_message;       ///< may be empty: replies then wait
};

/// A fresh random (version 4) UUID.
std::string new_uuid();
bool is_uuid(std::string_view text);

class Outbox {
  public:
    /// `folder` is created (mode 0700) on the first add().
    Outbox(std::filesystem::path folder, RequestLog log)
        : folder_(std::move(folder)), log_(std::move(log)) {}

    /// Saves a new request under a fresh key — durably, before anything is sent.
    Result<OutboxEntry> add(nlohmann::json body) const;
    /// The same with files (checked by check_attachments() before): each is copied into
    /// the outbox, durably, with a fresh upload key, before the entry is written.
    Result<OutboxEntry> add(nlohmann::json body, const std::vector<AttachmentFile>& files) const;
    /// Saves a reply to ticket `number` (text checked by check_reply_text()) with its files.
    Result<OutboxEntry> add_reply(std::int64_t number, const std::string& text,
                                  const std::vector<AttachmentFile>& files) const;

    /// The saved requests, oldest first. A file that cannot be read is renamed to
    /// "<name>.damaged" (kept for a person to look at, never sent) and reported in `problems`.
    std::vector<OutboxEntry> pending(std::vector<Error>* problems = nullptr) const;
    bool contains(const std::string& key) const;

    /// One attempt: sends `entry` with `post` and applies the removal rules above. An
    /// entry with files, or a reply, needs the whole transport: with `post` alone it waits.
    Delivery attempt(const OutboxEntry& entry, const TicketPoster& post,
                     std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;
    /// One attempt of every step the entry still needs (all of them: each is idempotent).
    Delivery attempt(const OutboxEntry& entry, const OutboxTransport& transport,
                     std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;

    const std::filesystem::path& folder() const { return folder_; }
    const RequestLog& log() const { return log_; }
    std::filesystem::path file_of(const std::string& key) const {
        return folder_ / (key + ".json");
    }
    /// The folder of an entry's file copies, and one copy.
    std::filesystem::path files_of(const std::string& key) const {
        return folder_ / (key + ".files");
    }
    std::filesystem::path copy_of(const OutboxEntry& entry, const OutboxAttachment& file) const {
        return files_of(entry.key) / file.key;
    }

  private:
    Result<OutboxEntry> save(OutboxEntry entry, const std::vector<AttachmentFile>& files) const;
    Status remove(const std::string& key) const;
    /// Records a settled request in requests.log, then removes the entry: only what is
    /// recorded is removed (a failed record is made again by the next attempt).
    void settle(const OutboxEntry& entry, const Delivery& delivery) const;
    Delivery send_files(const OutboxEntry& entry, std::int64_t number,
                        const OutboxTransport& transport, std::chrono::milliseconds timeout,
                        Delivery d) const;
    /// Files of `<key>.files` folders whose entry is gone (a crash between copying and
    /// writing the entry, or between removing the entry and its files).
    void sweep_orphans() const;

    std::filesystem::path folder_;
    RequestLog log_;
};

}  // namespace helpline::client
