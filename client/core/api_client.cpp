#include "client/core/api_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

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
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* received = static_cast<Received*>(user);
    const std::size_t n = size * count;
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

Result<ApiReply> ApiClient::send(const ApiRequest& request) const {
    ensure_curl();
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl)
        return make_error(net_error::kOther,
                          "Could not start an HTTP request (libcurl could not initialise).");
    CURL* c = curl.get();

    const auto connect_timeout = std::min(request.timeout, kMaxConnectTimeout);
    apply_endpoint(c, endpoint_, connect_timeout);
    const std::string url = endpoint_.url(request.path);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
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

    curl_slist* raw_headers = nullptr;
    const auto add_header = [&raw_headers](const std::string& h) {
        raw_headers = curl_slist_append(raw_headers, h.c_str());
    };
    add_header("Accept: application/json, application/problem+json");
    add_header("Expect:");  // no "100-continue" round trip for bodies over 1 KiB
    if (request.body) add_header("Content-Type: application/json");
    if (!token_.empty()) add_header("Authorization: Bearer " + token_);
    for (const auto& h : request.headers) add_header(h);
    std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

    Received received;
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
                        endpoint_.base_url, kMaxReplySize / (1024 * 1024)));
    if (code != CURLE_OK) return transport_error(code, error_buffer, endpoint_);

    ApiReply reply;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
    reply.body = std::move(received.body);
    reply.retry_after_s = received.retry_after_s;
    const bool json_type = received.content_type == "application/json" ||
                           received.content_type == "application/problem+json" ||
                           received.content_type.empty();
    if (json_type && !reply.body.empty())
        reply.json = nlohmann::json::parse(reply.body, nullptr, false);
    if (reply.json.is_discarded()) reply.json = nullptr;
    if (!reply.ok()) read_problem(reply);
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

}  // namespace helpline::client
