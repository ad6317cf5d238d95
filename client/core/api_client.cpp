#include "client/core/api_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <optional>
#include <span>
#include <thread>

#include "client/core/backoff.h"
#include "shared/file_io.h"

namespace helpline::client {
namespace {

/// The largest answer the client reads: a profile envelope with its assets, plus room.
constexpr std::size_t kMaxReplySize = 16 * 1024 * 1024;
constexpr std::chrono::milliseconds kMaxConnectTimeout{5'000};

struct Received {
    std::string body;
    std::string content_type;
    std::optional<int> retry_after_s;
    bool too_large = false;
    long status = 0;  ///< from the latest status line ("HTTP/1.1 200 OK")

    /// download(): a 2xx body goes to this file instead of `body`.
    File* sink = nullptr;
    std::uint64_t sink_max = 0;
    std::uint64_t sink_bytes = 0;
    std::optional<Error> sink_error;
    bool sink_too_large = false;
};

bool is_success(long status) {
    return status >= 200 && status < 300;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* received = static_cast<Received*>(user);
    const std::size_t n = size * count;
    if (received->sink != nullptr && is_success(received->status)) {
        if (received->sink_bytes + n > received->sink_max) {
            received->sink_too_large = true;
            return 0;
        }
        if (auto written = received->sink->write_all(as_bytes(std::string_view(data, n)));
            !written) {
            received->sink_error = written.error();
            return 0;
        }
        received->sink_bytes += n;
        return n;
    }
    if (received->body.size() + n > kMaxReplySize) {
        received->too_large = true;
        return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
    }
    received->body.append(data, n);
    return n;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* received = static_cast<Received*>(user);
    const std::size_t n = size * count;
    const std::string_view line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (after "100 Continue")
        received->content_type.clear();
        received->retry_after_s.reset();
        received->status = 0;
        if (const auto space = line.find(' '); space != std::string_view::npos) {
            const auto code = line.substr(space + 1, 3);
            long status = 0;
            const auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
            if (ec == std::errc() && end == code.data() + code.size()) received->status = status;
        }
        return n;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    const std::string name = lower(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-type") {
        received->content_type = lower(trim(value.substr(0, value.find(';'))));
    } else if (name == "retry-after") {
        int seconds = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0)
            received->retry_after_s =
                std::min(seconds, 3600);  // a date or a silly value: ignored / capped
    }
    return n;
}

void read_problem(ApiReply& reply) {
    if (!reply.json.is_object()) return;
    if (auto it = reply.json.find("detail"); it != reply.json.end() && it->is_string())
        reply.detail = *it;
    if (auto it = reply.json.find("code"); it != reply.json.end() && it->is_string())
        reply.code = *it;
    auto errors = reply.json.find("errors");
    if (errors == reply.json.end() || !errors->is_array()) return;
    for (const auto& e : *errors) {
        if (!e.is_object()) continue;
        FieldProblem p;
        if (auto f = e.find("field"); f != e.end() && f->is_string()) p.field = *f;
        if (auto m = e.find("message"); m != e.end() && m->is_string()) p.message = *m;
        if (!p.message.empty()) reply.field_errors.push_back(std::move(p));
    }
}

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

namespace {

using HandlePtr = std::unique_ptr<CURL, CurlDeleter>;
using HeadersPtr = std::unique_ptr<curl_slist, SlistDeleter>;

Result<HandlePtr> new_handle() {
    ensure_curl();
    HandlePtr curl(curl_easy_init());
    if (!curl)
        return make_error(net_error::kOther,
                          "Could not start an HTTP request (libcurl could not initialise).");
    return curl;
}

/// The headers every request has, then `extra`.
HeadersPtr make_headers(const std::string& token, const std::vector<std::string>& extra) {
    curl_slist* raw = nullptr;
    const auto add = [&raw](const std::string& h) { raw = curl_slist_append(raw, h.c_str()); };
    add("Accept: application/json, application/problem+json");
    if (!token.empty()) add("Authorization: Bearer " + token);
    for (const auto& h : extra) add(h);
    return HeadersPtr(raw);
}

/// What every request shares: the endpoint's TLS and proxies, the URL, the headers, the
/// answer's collection; then performs it. A transport failure is an Error; any answer an
/// ApiReply (its body not yet parsed).
Result<ApiReply> perform(CURL* c, const ServerEndpoint& endpoint, const std::string& path,
                         std::chrono::milliseconds connect_timeout, curl_slist* headers,
                         Received& received) {
    apply_endpoint(c, endpoint, std::min(connect_timeout, kMaxConnectTimeout));
    const std::string url = endpoint.url(path);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &received);
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);

    const CURLcode code = curl_easy_perform(c);
    if (received.too_large)
        return make_error(
            net_error::kOther,
            fmt::format("The support server {} sent an answer larger than {} MiB; it was not read.",
                        endpoint.base_url, kMaxReplySize / (1024 * 1024)));
    if (code != CURLE_OK) return transport_error(code, error_buffer, endpoint);

    ApiReply reply;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
    reply.body = std::move(received.body);
    reply.retry_after_s = received.retry_after_s;
    return reply;
}

void parse_answer(ApiReply& reply, const Received& received) {
    const bool json_type = received.content_type == "application/json" ||
                           received.content_type == "application/problem+json" ||
                           received.content_type.empty();
    if (json_type && !reply.body.empty())
        reply.json = nlohmann::json::parse(reply.body, nullptr, false);
    if (reply.json.is_discarded()) reply.json = nullptr;
    if (!reply.ok()) read_problem(reply);
}

/// A file error of an upload or download, under the transfer's code.
Error transfer_failure(const char* code, const Error& e) {
    return make_error(code, e.message, e.where);
}

/// The time limits of a long transfer: it fails when no byte moved for `stall`.
void apply_stall(CURL* c, std::chrono::milliseconds stall, std::chrono::milliseconds timeout) {
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max<std::int64_t>(1, stall.count() / 1000)));
}

/// The file being uploaded, read piece by piece as libcurl asks.
struct FileSource {
    File file;
    std::uint64_t left = 0;
    bool short_read = false;
    std::optional<Error> error;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* source = static_cast<FileSource*>(user);
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(size * count, source->left));
    if (want == 0) return 0;
    auto n = source->file.read(std::span(reinterpret_cast<std::uint8_t*>(buffer), want));
    if (!n) {
        source->error = n.error();
        return CURL_READFUNC_ABORT;
    }
    if (*n == 0) {  // the file became shorter than the Content-Length already sent
        source->short_read = true;
        return CURL_READFUNC_ABORT;
    }
    source->left -= *n;
    return *n;
}

}  // namespace

Result<ApiReply> ApiClient::send(const ApiRequest& request) const {
    auto curl = new_handle();
    if (!curl) return curl.error();
    CURL* c = curl->get();
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));

    std::string body_text;
    if (request.body) body_text = request.body->dump();
    if (request.method == "GET") {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body_text.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_text.size()));
    }
    std::vector<std::string> extra = {"Expect:"};  // no "100-continue" round trip for small bodies
    if (request.body) extra.push_back("Content-Type: application/json");
    extra.insert(extra.end(), request.headers.begin(), request.headers.end());
    const auto headers = make_headers(token_, extra);

    Received received;
    auto reply = perform(c, endpoint_, request.path, request.timeout, headers.get(), received);
    if (reply) parse_answer(*reply, received);
    return reply;
}

Result<ApiReply> ApiClient::upload(const ApiUpload& request) const {
    FileSource source;
    auto opened = File::open_read(request.file);
    if (!opened) return transfer_failure(transfer_error::kFileRead, opened.error());
    source.file = std::move(*opened);
    source.left = request.size;

    auto curl = new_handle();
    if (!curl) return curl.error();
    CURL* c = curl->get();
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);  // PUT
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.size));
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &source);
    apply_stall(c, request.stall, request.timeout);
    // The server checks the ticket, the rights and the limits before it reads a byte of the
    // body: with "Expect: 100-continue" a refusal costs no upload.
    std::vector<std::string> extra = {"Expect: 100-continue"};
    extra.insert(extra.end(), request.headers.begin(), request.headers.end());
    const auto headers = make_headers(token_, extra);

    Received received;
    auto reply = perform(c, endpoint_, request.path, request.stall, headers.get(), received);
    if (source.short_read)
        return make_error(transfer_error::kFileChanged,
                          fmt::format("'{}' became shorter while it was being sent ({} bytes "
                                      "expected); it was not sent.",
                                      request.file.string(), request.size),
                          request.file.string());
    if (source.error) return transfer_failure(transfer_error::kFileRead, *source.error);
    if (reply) parse_answer(*reply, received);
    return reply;
}

Result<ApiReply> ApiClient::download(const ApiDownload& request) const {
    // Mode 0600: what came in a private conversation stays the customer's. Removed unless
    // the whole body came.
    auto part = create_temp_beside(request.target, "part");
    if (!part) return transfer_failure(transfer_error::kFileWrite, part.error());

    auto curl = new_handle();
    if (!curl) return curl.error();
    CURL* c = curl->get();
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    apply_stall(c, request.stall, request.timeout);
    const auto headers = make_headers(token_, {});

    Received received;
    received.sink = &part->file();
    received.sink_max = request.max_size;
    auto reply = perform(c, endpoint_, request.path, request.stall, headers.get(), received);
    if (received.sink_too_large)
        return make_error(transfer_error::kTooLarge,
                          fmt::format("The file is larger than {} MiB; it was not saved.",
                                      request.max_size / (1024 * 1024)),
                          request.target.string());
    if (received.sink_error)
        return transfer_failure(transfer_error::kFileWrite, *received.sink_error);
    if (!reply) return reply;
    if (!reply->ok()) {
        parse_answer(*reply, received);
        return reply;
    }
    reply->saved_bytes = received.sink_bytes;
    if (auto saved = part->commit(); !saved)
        return transfer_failure(transfer_error::kFileWrite, saved.error());
    return reply;
}

std::string describe_rejection(const ApiReply& reply) {
    if (!reply.field_errors.empty()) {
        std::string out;
        for (const auto& e : reply.field_errors)
            out += (out.empty() ? "" : "; ") +
                   (e.field.empty() ? e.message : e.field + ": " + e.message);
        return out;
    }
    if (!reply.detail.empty()) return reply.detail;
    return fmt::format("the support server answered HTTP {}", reply.status);
}

bool post_for_answer(const ApiClient& api, const std::string& path,
                     std::optional<nlohmann::json> body, std::chrono::milliseconds timeout,
                     ApiReply* reply_out, std::string& problem) {
    ApiRequest request;
    request.method = "POST";
    request.path = path;
    request.body = std::move(body);
    request.timeout = timeout;
    auto reply = api.send(request);
    if (!reply) {
        problem = reply.error().message;
        return false;
    }
    if (reply_out != nullptr) *reply_out = *reply;
    if (!reply->ok()) {
        problem = describe_rejection(*reply);
        return false;
    }
    return true;
}

bool post_until_answered(const ApiClient& api, const std::string& path,
                         const std::optional<nlohmann::json>& body, const Persistence& persistence,
                         ApiReply* reply_out, std::string& problem) {
    using namespace std::chrono;
    Backoff backoff(milliseconds(250), seconds(4), milliseconds(100));
    for (;;) {
        const auto left = duration_cast<milliseconds>(persistence.deadline - steady_clock::now());
        // The first attempt gets its whole timeout even past the deadline: it is always made.
        const auto timeout = backoff.attempts() == 0
                                 ? persistence.attempt_timeout
                                 : std::min(persistence.attempt_timeout, std::max(left, milliseconds(1'000)));
        ApiReply reply;
        problem.clear();
        const bool taken = post_for_answer(api, path, body, timeout, &reply, problem);
        if (reply_out != nullptr) *reply_out = reply;
        const bool answered = reply.status != 0 && reply.status < 500 && reply.status != 429;
        if (taken || answered) return taken;
        auto wait = backoff.next();
        if (reply.retry_after_s) wait = std::max(wait, milliseconds(*reply.retry_after_s * 1'000));
        const auto resume = steady_clock::now() + wait;
        if (resume + milliseconds(1'000) > persistence.deadline) return false;
        while (steady_clock::now() < resume) {
            if (persistence.stop && persistence.stop()) return false;
            std::this_thread::sleep_for(std::min(milliseconds(100), duration_cast<milliseconds>(
                                                                        resume - steady_clock::now())));
        }
        if (persistence.stop && persistence.stop()) return false;
    }
}

}  // namespace helpline::client
