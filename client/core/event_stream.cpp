#include "client/core/event_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "client/core/backoff.h"

namespace helpline::client {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxIdBytes = 128;
constexpr std::size_t kMaxWordBytes = 40;
constexpr std::int64_t kMaxExpiresInS = 24 * 3600;
constexpr std::size_t kMaxErrorBody = 4096;

/// Text from the server made safe to show, on one line (conversation.h).
std::string sanitize_text(std::string_view in, std::size_t max) {
    return shown_text(in, max);
}

bool is_token(std::string_view s, std::size_t max) {
    return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '-' || c == '_';
    });
}

/// Reads the fields of one event's data, collecting what is wrong.
class Fields {
  public:
    explicit Fields(const nlohmann::json& data) : data_(data) {}

    std::string token(const char* name, bool required = true) {
        const auto it = data_.find(name);
        if (it == data_.end() || it->is_null()) {
            if (required) problem(name, "is missing");
            return {};
        }
        if (!it->is_string() || !is_token(it->get_ref<const std::string&>(), kMaxIdBytes)) {
            problem(name, "is not an identifier");
            return {};
        }
        return it->get<std::string>();
    }

    std::string text(const char* name, std::size_t max, bool nullable = false) {
        const auto it = data_.find(name);
        if (it == data_.end()) {
            problem(name, "is missing");
            return {};
        }
        if (nullable && it->is_null()) return {};
        if (!it->is_string()) {
            problem(name, "is not a string");
            return {};
        }
        return sanitize_text(it->get_ref<const std::string&>(), max);
    }

    std::int64_t integer(const char* name) {
        const auto it = data_.find(name);
        if (it == data_.end() || !it->is_number_integer()) {
            problem(name, "is not an integer");
            return 0;
        }
        if (it->is_number_unsigned() &&
            it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
            problem(name, "is out of range");
            return 0;
        }
        return it->get<std::int64_t>();
    }

    bool ok() const { return problems_.empty(); }
    const std::string& problems() const { return problems_; }

  private:
    void problem(const char* name, const char* what) {
        problems_ += fmt::format("{}{} {}", problems_.empty() ? "" : "; ", name, what);
    }

    const nlohmann::json& data_;
    std::string problems_;
};

}  // namespace

Result<std::optional<DeviceEvent>> decode_device_event(const SseEvent& event) {
    const bool known = event.event == "connection-request" ||
                       event.event == "connection-cancelled" || event.event == "ticket-updated" ||
                       event.event == "ticket-message";
    if (!known) return std::optional<DeviceEvent>();
    const auto data = nlohmann::json::parse(event.data, nullptr, /*allow_exceptions=*/false);
    if (!data.is_object())
        return make_error(event_error::kBadData,
                          fmt::format("The {} event's data is not a JSON object.", event.event),
                          event.event);
    Fields f(data);
    DeviceEvent out;
    if (event.event == "connection-request") {
        ConnectionRequest r;
        r.id = f.token("id");
        r.operator_name = f.text("operator_name", kMaxNameBytes);
        r.ticket_number = f.integer("ticket_number");
        const std::int64_t expires_in = f.integer("expires_in_s");
        r.expires_in =
            std::chrono::seconds(std::clamp<std::int64_t>(expires_in, 0, kMaxExpiresInS));
        out = std::move(r);
    } else if (event.event == "connection-cancelled") {
        Cancelled c;
        c.id = f.token("id");
        c.reason = f.text("reason", kMaxWordBytes);
        c.session_id = f.token("session_id", /*required=*/false);
        out = std::move(c);
    } else if (event.event == "ticket-message") {
        TicketMessage t;
        t.number = f.integer("number");
        const auto message = data.find("message");
        if (message == data.end())
            return make_error(event_error::kBadData, "The ticket-message event has no message.",
                              event.event);
        auto parsed = parse_message(*message);
        if (!parsed)
            return make_error(event_error::kBadData,
                              fmt::format("The ticket-message event's data is not valid: {}",
                                          parsed.error().message),
                              event.event);
        t.message = std::move(*parsed);
        out = std::move(t);
    } else {
        TicketUpdated t;
        t.number = f.integer("number");
        t.status = f.text("status", kMaxWordBytes);
        t.operator_name = f.text("operator_name", kMaxNameBytes, /*nullable=*/true);
        out = std::move(t);
    }
    if (!f.ok())
        return make_error(
            event_error::kBadData,
            fmt::format("The {} event's data is not valid: {}.", event.event, f.problems()),
            event.event);
    return std::optional<DeviceEvent>(std::move(out));
}

std::string_view to_string(StreamState s) {
    switch (s) {
        case StreamState::connecting:
            return "connecting";
        case StreamState::connected:
            return "connected";
        case StreamState::reconnecting:
            return "reconnecting";
        case StreamState::stopped:
            return "stopped";
    }
    return "unknown";
}

/// The state of one connection attempt, shared with libcurl's callbacks.
struct EventStream::Attempt {
    EventStream* stream = nullptr;
    CURL* easy = nullptr;
    Clock::time_point last_byte;
    long status = 0;
    bool headers_done = false;
    bool connected = false;
    std::string failure;  ///< set by a callback that aborts the transfer
    std::string error_body;

    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self) {
        auto* a = static_cast<Attempt*>(self);
        const std::size_t n = size * count;
        a->last_byte = Clock::now();
        const std::string_view line(data, n);
        if (line != "\r\n" && line != "\n") return n;
        // End of a header block: 1xx blocks are followed by the real one.
        curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &a->status);
        if (a->status < 200) return n;
        a->headers_done = true;
        if (a->status != 200) return n;  // the body says why; read it
        const char* type = nullptr;
        curl_easy_getinfo(a->easy, CURLINFO_CONTENT_TYPE, &type);
        if (type == nullptr || std::string_view(type).rfind("text/event-stream", 0) != 0) {
            a->failure = fmt::format("The server answered with '{}' instead of an event stream.",
                                     type == nullptr ? "no content type" : type);
            return 0;
        }
        a->connected = true;
        a->stream->parser_.restart();
        a->stream->report(StreamStatus{StreamState::connected, {}, milliseconds(0), 0});
        return n;
    }

    static std::size_t on_data(char* data, std::size_t size, std::size_t count, void* self) {
        auto* a = static_cast<Attempt*>(self);
        const std::size_t n = size * count;
        a->last_byte = Clock::now();
        if (a->stream->stop_flag_) return 0;
        if (!a->connected) {
            a->error_body.append(
                data, std::min(n, kMaxErrorBody - std::min(kMaxErrorBody, a->error_body.size())));
            return n;
        }
        std::vector<SseEvent> events;
        a->stream->parser_.feed(std::string_view(data, n), events);
        {
            std::lock_guard lock(a->stream->mutex_);
            a->stream->last_event_id_ = a->stream->parser_.last_event_id();
        }
        for (const auto& e : events) a->stream->deliver(e);
        return n;
    }
};

EventStream::EventStream(EventStreamOptions options, EventStreamCallbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)), parser_(options_.limits) {
    last_event_id_ = options_.last_event_id;
    parser_.set_last_event_id(options_.last_event_id);
}

EventStream::~EventStream() {
    stop();
}

void EventStream::start() {
    if (worker_.joinable() || stop_flag_) return;
    ensure_curl();
    worker_ = std::thread([this] { run(); });
}

void EventStream::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        stop_flag_ = true;
        if (multi_ != nullptr) curl_multi_wakeup(static_cast<CURLM*>(multi_));
    }
    wake_.notify_all();
    if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
}

std::string EventStream::last_event_id() const {
    std::lock_guard lock(mutex_);
    return last_event_id_;
}

void EventStream::report(StreamStatus status) {
    if (callbacks_.on_status) callbacks_.on_status(status);
}

void EventStream::log(const std::string& message) {
    if (callbacks_.on_log) callbacks_.on_log(message);
}

void EventStream::deliver(const SseEvent& event) {
    auto decoded = decode_device_event(event);
    if (!decoded) {
        log(fmt::format("Dropped an event from the server (id '{}'): {}", event.id,
                        decoded.error().message));
        return;
    }
    if (!*decoded) {
        log(fmt::format("Ignored an event of unknown type '{}' (id '{}').",
                        sanitize_text(event.event, kMaxWordBytes), event.id));
        return;
    }
    if (callbacks_.on_event) callbacks_.on_event(**decoded);
}

void EventStream::run() {
    Backoff backoff(options_.backoff_base, options_.backoff_cap, options_.backoff_floor);
    report(StreamStatus{StreamState::connecting, {}, milliseconds(0), 0});
    while (!stop_flag_) {
        bool was_connected = false;
        Clock::time_point connected_at;
        const std::string reason = connect_once(was_connected, connected_at);
        if (stop_flag_) break;
        if (was_connected && Clock::now() - connected_at >= options_.stable_after) backoff.reset();
        const milliseconds delay = backoff.next();
        log(fmt::format("Event stream: {} Reconnecting in {} ms.", reason, delay.count()));
        report(StreamStatus{StreamState::reconnecting, reason, delay, backoff.attempts()});
        if (!wait_before_retry(delay)) break;
    }
    report(StreamStatus{StreamState::stopped, {}, milliseconds(0), 0});
}

bool EventStream::wait_before_retry(milliseconds delay) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

std::string EventStream::connect_once(bool& was_connected, Clock::time_point& connected_at) {
    CURL* easy = curl_easy_init();
    CURLM* multi = curl_multi_init();
    if (easy == nullptr || multi == nullptr) {
        if (easy != nullptr) curl_easy_cleanup(easy);
        if (multi != nullptr) curl_multi_cleanup(multi);
        return "libcurl could not be initialised.";
    }
    Attempt attempt;
    attempt.stream = this;
    attempt.easy = easy;
    attempt.last_byte = Clock::now();

    char error_buffer[CURL_ERROR_SIZE] = {};
    const std::string url = options_.endpoint.url("/api/v1/events");
    apply_endpoint(easy, options_.endpoint, options_.connect_timeout);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Attempt::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &attempt);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Attempt::on_data);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &attempt);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_slist* headers = nullptr;
    headers =
        curl_slist_append(headers, ("Authorization: Bearer " + options_.device_token).c_str());
    headers = curl_slist_append(headers, "Accept: text/event-stream");
    headers = curl_slist_append(headers, "Cache-Control: no-cache");
    // The id came out of the parser, so it holds no CR, LF or NUL.
    if (const std::string id = last_event_id(); !id.empty())
        headers = curl_slist_append(headers, ("Last-Event-ID: " + id).c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_multi_add_handle(multi, easy);
    {
        std::lock_guard lock(mutex_);
        multi_ = multi;
    }

    const auto silence_limit = milliseconds(static_cast<std::int64_t>(
        static_cast<double>(options_.heartbeat.count()) * options_.heartbeat_tolerance));
    std::string reason;
    CURLcode result = CURLE_OK;
    bool done = false;
    while (!stop_flag_ && !done) {
        int running = 0;
        curl_multi_perform(multi, &running);
        int queued = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
            if (msg->msg != CURLMSG_DONE) continue;
            result = msg->data.result;
            done = true;
        }
        if (attempt.connected && !was_connected) {
            was_connected = true;
            connected_at = Clock::now();
        }
        if (done || running == 0) {
            done = true;
            break;
        }
        const auto silent_for = Clock::now() - attempt.last_byte;
        if (silent_for >= silence_limit) {
            reason =
                fmt::format("The server sent nothing for {} s (not even its heartbeat).",
                            std::chrono::duration_cast<std::chrono::seconds>(silent_for).count());
            break;
        }
        const auto left = std::chrono::duration_cast<milliseconds>(silence_limit - silent_for);
        // No periodic wake-ups: curl_multi_poll() also returns for libcurl's own timers, and
        // stop() wakes it (curl_multi_wakeup).
        const int timeout_ms =
            static_cast<int>(std::clamp<std::int64_t>(left.count() + 1, 1, 600'000));
        curl_multi_poll(multi, nullptr, 0, timeout_ms, nullptr);
    }
    {
        std::lock_guard lock(mutex_);
        multi_ = nullptr;
    }
    curl_multi_remove_handle(multi, easy);
    curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
    curl_slist_free_all(headers);

    if (!reason.empty()) return reason;
    if (!attempt.failure.empty()) return attempt.failure;
    if (attempt.headers_done && attempt.status != 200) {
        const auto body = nlohmann::json::parse(attempt.error_body, nullptr, false);
        std::string detail;
        if (body.is_object() && body.contains("detail") && body["detail"].is_string())
            detail = sanitize_text(body["detail"].get<std::string>(), 300);
        return fmt::format("The server refused the event stream (HTTP {}{}{}).", attempt.status,
                           detail.empty() ? "" : ": ", detail);
    }
    if (result != CURLE_OK) return transport_error(result, error_buffer, options_.endpoint).message;
    return "The server closed the event stream.";
}

}  // namespace helpline::client
