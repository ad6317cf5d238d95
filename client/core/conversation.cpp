#include "client/core/conversation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace helpline::client {
namespace {

/// The server's limit of a message's text, in characters (docs/protocol.md).
constexpr std::size_t kMaxReplyCharacters = 10'000;
/// What is kept of texts from the server, in bytes: a body of 10,000 characters of up to
/// 4 bytes each; names; words such as a status.
constexpr std::size_t kMaxBodyBytes = 4 * kMaxReplyCharacters;
constexpr std::size_t kMaxNameBytes = 1024;
constexpr std::size_t kMaxWordBytes = 200;

/// Reads fields of one object of an answer, collecting what is missing or of a wrong type.
class Reader {
  public:
    Reader(const nlohmann::json& j, std::string what) : j_(j), what_(std::move(what)) {
        if (!j_.is_object()) problem("is not a JSON object");
    }

    std::int64_t integer(const char* name, bool nullable = false) {
        if (!j_.is_object()) return 0;
        const auto it = j_.find(name);
        if (it == j_.end() || (nullable && it->is_null())) {
            if (!nullable) problem(fmt::format("has no {}", name));
            return 0;
        }
        if (!it->is_number_integer()) {
            problem(fmt::format("has a {} that is not an integer", name));
            return 0;
        }
        return it->get<std::int64_t>();
    }

    std::string text(const char* name, bool nullable = false, std::size_t max = kMaxWordBytes,
                     bool multiline = false) {
        if (!j_.is_object()) return {};
        const auto it = j_.find(name);
        if (it == j_.end() || (nullable && it->is_null())) {
            if (!nullable) problem(fmt::format("has no {}", name));
            return {};
        }
        if (!it->is_string()) {
            problem(fmt::format("has a {} that is not a string", name));
            return {};
        }
        return shown_text(it->get_ref<const std::string&>(), max, multiline);
    }

    /// A flag a newer server may leave out: false then.
    bool flag(const char* name) {
        if (!j_.is_object()) return false;
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) return false;
        if (!it->is_boolean()) {
            problem(fmt::format("has a {} that is not true or false", name));
            return false;
        }
        return it->get<bool>();
    }

    const nlohmann::json* array(const char* name) {
        if (!j_.is_object()) return nullptr;
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) return nullptr;
        if (!it->is_array()) {
            problem(fmt::format("has {} that is not a list", name));
            return nullptr;
        }
        return &*it;
    }

    void problem(const std::string& what) { problems_ += (problems_.empty() ? "" : "; ") + what; }
    bool ok() const { return problems_.empty(); }
    Error error() const {
        return make_error(conversation_error::kBadAnswer,
                          fmt::format("The support server's answer is not what this client "
                                      "expects: the {} {}.",
                                      what_, problems_));
    }

  private:
    const nlohmann::json& j_;
    std::string what_;
    std::string problems_;
};

Result<std::vector<Attachment>> parse_attachments(const nlohmann::json* list) {
    std::vector<Attachment> out;
    if (list == nullptr) return out;
    for (const auto& item : *list) {
        auto a = parse_attachment(item);
        if (!a) return a.error();
        out.push_back(std::move(*a));
    }
    return out;
}

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string ticket_path(std::int64_t number, std::string_view rest) {
    return fmt::format("/api/v1/tickets/{}{}", number, rest);
}

}  // namespace

std::string shown_text(std::string_view in, std::size_t max, bool multiline) {
    std::string out;
    for (std::size_t i = 0; i < in.size();) {
        const auto c = static_cast<unsigned char>(in[i]);
        const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        const std::string_view ch = in.substr(i, len);
        i += len;
        if (ch.size() < len) break;  // a cut-off character at the end
        const bool kept_space = multiline && (c == '\n' || c == '\t');
        if (len == 1 && (c < 0x20 || c == 0x7F) && !kept_space) continue;
        if (len == 2 && c == 0xC2 && static_cast<unsigned char>(ch[1]) < 0xA0) continue;  // C1
        if (len == 3 && (ch == "\u202A" || ch == "\u202B" || ch == "\u202C" || ch == "\u202D" ||
                         ch == "\u202E" || ch == "\u2066" || ch == "\u2067" || ch == "\u2068" ||
                         ch == "\u2069" || ch == "\u200E" || ch == "\u200F"))
            continue;
        if (out.size() + ch.size() > max) break;
        out += ch;
    }
    return out;
}

std::int64_t Conversation::newest_message_id() const {
    std::int64_t newest = 0;
    for (const auto& m : messages) newest = std::max(newest, m.id);
    return newest;
}

int Conversation::unread_count() const {
    return static_cast<int>(std::count_if(
        messages.begin(), messages.end(),
        [this](const Message& m) { return m.from_team() && m.id > read_message_id; }));
}

bool Conversation::accepts_replies() const {
    return status == "open" || replies_reopen;
}

Result<Attachment> parse_attachment(const nlohmann::json& j) {
    Reader r(j, "attachment");
    Attachment a;
    a.id = r.integer("id");
    a.ticket_number = r.integer("ticket_number");
    a.message_id = r.integer("message_id", /*nullable=*/true);
    a.name = r.text("name", false, kMaxNameBytes);
    const std::int64_t size = r.integer("size");
    if (size < 0) r.problem("has a negative size");
    a.size = static_cast<std::uint64_t>(std::max<std::int64_t>(size, 0));
    a.type = r.text("type", true);
    a.image = r.flag("image");
    a.sha256 = r.text("sha256", true);
    a.internal = r.flag("internal");
    a.author = r.text("author", true);
    a.created_at = r.text("created_at", true);
    a.removed = r.flag("removed");
    if (!r.ok()) return r.error();
    return a;
}

Result<Message> parse_message(const nlohmann::json& j) {
    Reader r(j, "message");
    Message m;
    m.id = r.integer("id");
    m.ticket_number = r.integer("ticket_number");
    m.author = r.text("author");
    m.author_name = r.text("author_name", /*nullable=*/true, kMaxNameBytes);
    m.body = r.text("body", false, kMaxBodyBytes, /*multiline=*/true);
    m.internal = r.flag("internal");
    m.created_at = r.text("created_at");
    const auto* list = r.array("attachments");
    if (!r.ok()) return r.error();
    auto attachments = parse_attachments(list);
    if (!attachments) return attachments.error();
    m.attachments = std::move(*attachments);
    return m;
}

Result<Conversation> parse_conversation(const nlohmann::json& j) {
    Reader r(j, "conversation");
    Conversation c;
    c.number = r.integer("number");
    c.status = r.text("status");
    c.description = r.text("description", /*nullable=*/true, kMaxBodyBytes, /*multiline=*/true);
    c.created_at = r.text("created_at", true);
    c.read_message_id = r.integer("read_message_id", true);
    c.replies_reopen = r.flag("replies_reopen");
    const auto* messages = r.array("messages");
    const auto* attachments = r.array("attachments");
    if (!r.ok()) return r.error();
    if (messages != nullptr) {
        for (const auto& item : *messages) {
            auto m = parse_message(item);
            if (!m) return m.error();
            c.messages.push_back(std::move(*m));
        }
    }
    auto files = parse_attachments(attachments);
    if (!files) return files.error();
    c.attachments = std::move(*files);
    // Oldest first, whatever order a server sends.
    std::stable_sort(c.messages.begin(), c.messages.end(),
                     [](const Message& a, const Message& b) { return a.id < b.id; });
    return c;
}

Error answer_error(const ApiReply& reply, std::int64_t number) {
    const std::string said = describe_rejection(reply);
    if (reply.status == 404)
        return make_error(
            conversation_error::kNotFound,
            fmt::format("Request {} is not one of this computer's requests.", number));
    if (reply.status == 409 && reply.code == "ticket_closed")
        return make_error(conversation_error::kClosed,
                          reply.detail.empty()
                              ? fmt::format("Request {} is closed; send a new request.", number)
                              : reply.detail);
    if (reply.status == 410)
        return make_error(
            conversation_error::kRemoved,
            reply.detail.empty() ? "The file was removed from the server." : reply.detail);
    if (reply.status >= 400 && reply.status < 500 && reply.status != 408 && reply.status != 429)
        return make_error(
            conversation_error::kRefused,
            fmt::format("The support server refused it (HTTP {}): {}", reply.status, said));
    return make_error(
        conversation_error::kServer,
        fmt::format("The support server could not answer (HTTP {}): {}", reply.status, said));
}

Result<Conversation> fetch_conversation(const ApiClient& api, std::int64_t number,
                                        std::chrono::milliseconds timeout) {
    ApiRequest request;
    request.path = ticket_path(number, "/messages");
    request.timeout = timeout;
    auto reply = api.send(request);
    if (!reply) return reply.error();
    if (!reply->ok()) return answer_error(*reply, number);
    return parse_conversation(reply->json);
}

Status mark_read(const ApiClient& api, std::int64_t number, std::int64_t message_id,
                 std::chrono::milliseconds timeout) {
    ApiRequest request;
    request.method = "PUT";
    request.path = ticket_path(number, "/read");
    request.body = nlohmann::json{{"message_id", message_id}};
    request.timeout = timeout;
    auto reply = api.send(request);
    if (!reply) return reply.error();
    if (!reply->ok()) return answer_error(*reply, number);
    return Ok{};
}

Result<std::uint64_t> download_attachment(const ApiClient& api, std::int64_t id,
                                          const std::filesystem::path& target) {
    ApiDownload request;
    request.path = fmt::format("/api/v1/attachments/{}?download=1", id);
    request.target = target;
    auto reply = api.download(request);
    if (!reply) return reply.error();
    if (!reply->ok()) {
        if (reply->status == 404)
            return make_error(conversation_error::kNotFound,
                              fmt::format("There is no file {} in this computer's requests.", id));
        return answer_error(*reply, 0);
    }
    return reply->saved_bytes;
}

Result<Message> send_message(const ApiClient& api, std::int64_t number, const std::string& key,
                             const std::string& body,
                             const std::vector<std::int64_t>& attachment_ids,
                             std::chrono::milliseconds timeout) {
    auto reply = post_message(api, number, key, body, attachment_ids, timeout);
    if (!reply) return reply.error();
    if (!reply->ok()) return answer_error(*reply, number);
    return parse_message(reply->json);
}

std::string check_reply_text(const std::string& body, bool with_files) {
    if (body.find('\0') != std::string::npos) return "must not contain NUL characters";
    const auto length = utf8_length(body);
    if (length > kMaxReplyCharacters)
        return fmt::format("is too long: at most {} characters, this one has {}",
                           kMaxReplyCharacters, length);
    const bool blank =
        std::all_of(body.begin(), body.end(), [](unsigned char c) { return std::isspace(c) != 0; });
    if (blank && !with_files) return "is empty: write a message or attach a file";
    return {};
}

Result<ApiReply> put_attachment(const ApiClient& api, std::int64_t number, const UploadFile& file,
                                std::chrono::milliseconds stall) {
    ApiUpload request;
    request.path = ticket_path(number, "/attachments/" + file.key);
    request.file = file.file;
    request.size = file.size;
    request.stall = stall;
    request.headers = {
        "Content-Type: " + (file.type.empty() ? "application/octet-stream" : file.type),
        "X-Helpline-File-Name: " + percent_encode(file.name)};
    return api.upload(request);
}

Result<ApiReply> post_message(const ApiClient& api, std::int64_t number, const std::string& key,
                              const std::string& body,
                              const std::vector<std::int64_t>& attachment_ids,
                              std::chrono::milliseconds timeout) {
    ApiRequest request;
    request.method = "POST";
    request.path = ticket_path(number, "/messages");
    request.body = nlohmann::json{{"body", body}};
    if (!attachment_ids.empty()) (*request.body)["attachments"] = attachment_ids;
    request.headers = {"Idempotency-Key: " + key};
    request.timeout = timeout;
    return api.send(request);
}

std::string percent_encode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const unsigned char c : text) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved)
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

}  // namespace helpline::client
