#pragma once
// An incremental parser for text/event-stream (the WHATWG "server-sent events" format):
// bytes in, in chunks of any size, complete events out. Pure: no I/O, no clock, so it is
// tested byte by byte. Lines end in CRLF, LF or CR; lines starting with ':' are comments
// (the server's "ping"); an event is dispatched at an empty line.
//
// Everything arriving is untrusted: a line or an event past its cap is dropped whole
// (and counted) instead of growing a buffer without bound.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace helpline::client {

struct SseEvent {
    std::string id;     ///< the last event id at dispatch (the SSE rule: ids carry over)
    std::string event;  ///< "message" when the event named no type
    std::string data;   ///< "data:" lines joined with '\n'

    bool operator==(const SseEvent&) const = default;
};

struct SseLimits {
    std::size_t max_line = 64 * 1024;    ///< one line, without its end
    std::size_t max_event = 256 * 1024;  ///< the data of one event
};

class SseParser {
  public:
    explicit SseParser(SseLimits limits = {}) : limits_(limits) {}

    /// Feeds the next bytes of the stream; complete events are appended to `out`.
    void feed(std::string_view bytes, std::vector<SseEvent>& out);
    std::vector<SseEvent> feed(std::string_view bytes) {
        std::vector<SseEvent> out;
        feed(bytes, out);
        return out;
    }

    /// A new connection: forgets the partial line and event, keeps the last event id (it
    /// is what Last-Event-ID sends on the reconnect).
    void restart();

    /// The id to resume from; empty when the stream named none yet.
    const std::string& last_event_id() const { return last_event_id_; }
    void set_last_event_id(std::string id) { last_event_id_ = std::move(id); }

    /// Events dropped because a line or their data went past the limits.
    std::size_t dropped() const { return dropped_; }

  private:
    void push_byte(char c);
    void end_of_line();
    void process_line(std::string_view line);
    void dispatch();

    SseLimits limits_;
    std::string line_;
    bool line_too_long_ = false;
    bool after_cr_ = false;        ///< the last byte was CR: a following LF ends nothing
    bool at_stream_start_ = true;  ///< a UTF-8 BOM may come first
    std::string bom_;              ///< BOM bytes seen so far at the start

    std::string data_;
    std::string event_;
    bool event_spoiled_ = false;  ///< a line or the data went past a limit
    std::string id_buffer_;
    std::string last_event_id_;
    std::size_t dropped_ = 0;

    std::vector<SseEvent>* out_ = nullptr;  ///< where dispatch() puts events during feed()
};

}  // namespace helpline::client
