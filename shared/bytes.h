#pragma once
// Byte buffers and little-endian integer encoding shared by the stamp and envelopes.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace helpline {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_string(ByteView b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

void append(Bytes& out, ByteView data);
void append_u16le(Bytes& out, std::uint16_t v);
void append_u32le(Bytes& out, std::uint32_t v);
std::uint16_t read_u16le(const std::uint8_t* p);
std::uint32_t read_u32le(const std::uint8_t* p);

/// Standard base64 with padding.
std::string base64_encode(ByteView data);
/// Decodes standard base64 (padding required, no whitespace); false on any bad input.
bool base64_decode(std::string_view text, Bytes& out);

std::string hex_encode(ByteView data);

}  // namespace helpline
