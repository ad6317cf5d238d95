#pragma once
// A console's event stream (GET /api/v1/console/events) for the benchmarks: one blocking
// socket, read until an event of the wanted type arrives, counting the bytes on the wire
// (what the console receives per change, chunk framing included).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/http_wire.h"

namespace helpline::bench {

class ConsoleStream {
  public:
    /// Connects to 127.0.0.1:port and asks for the stream with the bearer `token`.
    ConsoleStream(std::uint16_t port, const std::string& token);
    ~ConsoleStream();
    ConsoleStream(const ConsoleStream&) = delete;
    ConsoleStream& operator=(const ConsoleStream&) = delete;

    /// The next event of type `type` (others are kept aside), or throws after `timeout`.
    /// `wire_bytes` counts the bytes read from the socket meanwhile.
    SseEvent next(const std::string& type, std::chrono::milliseconds timeout,
                  std::size_t& wire_bytes);

  private:
    int fd_;
    ResponseParser http_;
    SseParser sse_;
    std::vector<SseEvent> pending_;
};

}  // namespace helpline::bench
