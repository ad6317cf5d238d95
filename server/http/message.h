#pragma once
// HTTP requests and responses as plain structs: what the api handlers see and return.
// No Beast here; server/http/*session* translate to and from the wire.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helpline::server::http {

/// Header fields; names compare case-insensitively.
class Headers {
public:
    void add(std::string name, std::string value);
    /// The first value of `name`, or nullopt.
    std::optional<std::string_view> get(std::string_view name) const;
    const std::vector<std::pair<std::string, std::string>>& all() const { return fields_; }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
    std::string method;                   ///< "GET", "POST", ...
    std::string target;                   ///< as received: "/api/v1/queue?x=1"
    std::string path;                     ///< normalised (router.h): "/api/v1/queue"
    std::vector<std::string> segments;    ///< decoded path segments
    std::map<std::string, std::string> query;
    std::map<std::string, std::string> params;  ///< filled by the router: {number} -> "1042"
    Headers headers;
    std::string body;
    /// An upload's body (ServerOptions::spools_body): the file it was written to as it
    /// arrived, `body` staying empty. The session deletes the file after the handler.
    std::string body_file;
    /// An upload's first call, before its body is read (ServerOptions::spools_body): the
    /// handler answers 100 to accept the body, anything else refuses it.
    bool admitting = false;
    std::string remote_address;  ///< peer IP, for rate limits and logs
    bool tls = false;

    std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
    /// The bearer token of the Authorization header, if any.
    std::optional<std::string_view> bearer() const;
    /// A cookie's value, if sent.
    std::optional<std::string> cookie(std::string_view name) const;
};

/// The outbound side of a Server-Sent Events stream. Producers (any thread) push whole
/// frames; the HTTP session drains and writes them. Bounded: a client that does not keep
/// up is dropped (push() closes the sink) rather than queueing without end.
class EventSink : public std::enable_shared_from_this<EventSink> {
public:
    explicit EventSink(std::size_t max_queued = 256) : max_queued_(max_queued) {}

    /// Queues a frame; false (and the stream is closed) if closed already or full.
    bool push(std::string frame);
    /// Ends the stream: the session finishes writing what is queued, then closes.
    void close();
    bool closed() const { return closed_.load(); }

    /// Session side: called from push()/close() on the producer's thread; must only post.
    void set_waker(std::function<void()> waker);
    /// Session side: takes every queued frame.
    std::vector<std::string> drain();
    /// Session side: the client went away; runs the on_disconnect callback once.
    void disconnected();

    /// Producer side: called once when the client disconnects (unsubscribe here).
    void on_disconnect(std::function<void()> callback);

    /// Formats one SSE frame: "id: ..\nevent: ..\ndata: ..\n\n" (data split on newlines).
    static std::string frame(std::string_view event, std::string_view data, std::optional<std::int64_t> id = {});

private:
    std::size_t max_queued_;
    std::mutex mutex_;
    std::deque<std::string> queue_;
    std::function<void()> waker_;
    std::function<void()> on_disconnect_;
    std::atomic<bool> closed_{false};
    std::atomic<bool> disconnected_{false};
};

struct Upgrade;  // upgrade.h

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
    /// When set, the response is an event stream (text/event-stream): the session writes
    /// the headers, then frames as the sink receives them, plus a ": ping" comment every
    /// heartbeat interval, until either side closes.
    std::shared_ptr<EventSink> stream;
    /// When set (status 101), the connection is upgraded and handed to the upgrade's
    /// channel: a raw byte stream or a WebSocket (upgrade.h).
    std::shared_ptr<Upgrade> upgrade;
    /// When set, the body is this file's bytes, written as read from the disk (never
    /// held whole in memory); `body` is ignored. Deleted once sent if `delete_file`.
    std::string file;
    bool delete_file = false;

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

using Handler = std::function<Response(const Request&)>;

}  // namespace helpline::server::http
