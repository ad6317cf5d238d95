#include "client/core/sse_parser.h"

namespace helpline::client {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

void SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
    out_ = &out;
    for (const char c : bytes) {
        if (at_stream_start_) {
            // A UTF-8 BOM may open the stream; bytes that only looked like its start are
            // ordinary text.
            if (c == kBom[bom_.size()]) {
                bom_ += c;
                if (bom_.size() == kBom.size()) {
                    at_stream_start_ = false;
                    bom_.clear();
                }
                continue;
            }
            at_stream_start_ = false;
            const std::string seen = std::move(bom_);
            bom_.clear();
            for (const char b : seen) push_byte(b);
        }
        push_byte(c);
    }
    out_ = nullptr;
}

void SseParser::push_byte(char c) {
    if (after_cr_) {
        after_cr_ = false;
        if (c == '\n') return;  // the LF of a CRLF: the line has already ended
    }
    if (c == '\r' || c == '\n') {
        after_cr_ = c == '\r';
        end_of_line();
        return;
    }
    if (line_.size() >= limits_.max_line) {
        line_too_long_ = true;  // keep the start: it tells a comment from a field
        return;
    }
    line_ += c;
}

void SseParser::end_of_line() {
    if (line_too_long_) {
        // An overlong comment costs nothing; an overlong field spoils its event.
        if (line_.empty() || line_.front() != ':') event_spoiled_ = true;
    } else {
        process_line(line_);
    }
    line_.clear();
    line_too_long_ = false;
}

void SseParser::process_line(std::string_view line) {
    if (line.empty()) return dispatch();
    if (line.front() == ':') return;  // a comment: the heartbeat
    std::string_view field = line;
    std::string_view value;
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "event") {
        event_ = value;
    } else if (field == "data") {
        if (data_.size() + value.size() + 1 > limits_.max_event) {
            event_spoiled_ = true;
            data_.clear();
            return;
        }
        if (event_spoiled_) return;
        data_ += value;
        data_ += '\n';
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) id_buffer_ = value;
    }
    // "retry" and unknown fields are ignored: the client's own backoff decides.
}

void SseParser::dispatch() {
    last_event_id_ = id_buffer_;
    const bool spoiled = event_spoiled_;
    std::string data = std::move(data_);
    std::string event = std::move(event_);
    data_.clear();
    event_.clear();
    event_spoiled_ = false;
    if (spoiled) {
        ++dropped_;
        return;
    }
    if (data.empty()) return;  // no data line: nothing to dispatch
    data.pop_back();           // the '\n' after the last data line
    out_->push_back(
        SseEvent{last_event_id_, event.empty() ? "message" : std::move(event), std::move(data)});
}

void SseParser::restart() {
    line_.clear();
    line_too_long_ = false;
    after_cr_ = false;
    at_stream_start_ = true;
    bom_.clear();
    data_.clear();
    event_.clear();
    event_spoiled_ = false;
    id_buffer_ = last_event_id_;
}

}  // namespace helpline::client
