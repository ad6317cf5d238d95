// The client's text/event-stream parser (client/core/sse_parser.*): the server's events
// as they arrive, in chunks of any size. The first byte sets the chunk size, so the same
// stream is also fed split at other places; a small limit (second byte) reaches the
// too-long paths. Whatever the split, the events must be the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "client/core/sse_parser.h"

using helpline::client::SseEvent;
using helpline::client::SseLimits;
using helpline::client::SseParser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t chunk = data[0] % 16 + 1;
    const bool small = data[1] & 1;
    const SseLimits limits = small ? SseLimits{64, 256} : SseLimits{};
    const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

    SseParser whole(limits);
    const auto expected = whole.feed(stream);

    SseParser pieces(limits);
    std::vector<SseEvent> events;
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) pieces.feed(stream.substr(pos, chunk), events);
    if (events != expected || pieces.last_event_id() != whole.last_event_id() ||
        pieces.dropped() != whole.dropped())
        std::abort();
    for (const auto& event : events)
        if (event.data.size() > limits.max_event) std::abort();

    // A reconnect keeps the last id and nothing else.
    pieces.restart();
    (void)pieces.feed(stream);
    return 0;
}
