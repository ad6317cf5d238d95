#pragma once
// The headers of a PE image, made by hand for the tests of the PE reader
// (tests/shared/pe_image_test.cpp) and the stamp fuzzer's seeds (fuzz/make_seeds.cpp): the
// DOS header's "MZ" and pointer, the PE header at 0x80, an optional header (PE32+ unless
// `pe32`) with 16 data directories, the certificate table's entry set to (offset, size).

#include <cstddef>
#include <cstdint>

#include "shared/bytes.h"

namespace helpline::test {

inline void put_u16(Bytes& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v);
    b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}

inline void put_u32(Bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// Where the certificate table's entry (offset, then size) is in such headers.
inline std::size_t synthetic_pe_certificate_entry(bool pe32 = false) {
    const std::size_t optional = 0x80 + 4 + 20;
    return optional + (pe32 ? 92 : 108) + 4 + 4 * 8;
}

inline Bytes synthetic_pe_head(bool pe32 = false, std::uint32_t offset = 0, std::uint32_t size = 0,
                               std::size_t length = 1024) {
    Bytes b(length, 0);
    b[0] = 'M';
    b[1] = 'Z';
    put_u32(b, 0x3C, 0x80);
    b[0x80] = 'P';
    b[0x81] = 'E';
    const std::size_t optional = 0x80 + 4 + 20;
    put_u16(b, optional, pe32 ? 0x10B : 0x20B);
    put_u32(b, optional + (pe32 ? 92 : 108), 16);  // the number of data directories
    put_u32(b, synthetic_pe_certificate_entry(pe32), offset);
    put_u32(b, synthetic_pe_certificate_entry(pe32) + 4, size);
    return b;
}

}  // namespace helpline::test
