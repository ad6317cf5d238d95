#pragma once
// Just enough of the PE/COFF format (Windows executables) for the stamp: where an
// Authenticode signature sits. A signed program ends with its certificate table, which the
// optional header's data directory 4 locates (offset and size in the file); the signer pads
// the file to 8 bytes before it. A stamp appended before signing is then followed by 0-7
// zero bytes and the table, and is still covered by the signature (Authenticode hashes
// everything but the checksum, that directory entry and the table itself).
// Microsoft's "PE Format" specification, sections "Optional Header Data Directories" and
// "The Attribute Certificate Table".

#include <cstdint>
#include <filesystem>
#include <optional>

#include "shared/bytes.h"

namespace helpline {

/// How many of a file's first bytes pe_certificate_table() needs at most.
inline constexpr std::size_t kPeHeadSize = 4096;

struct PeCertificateTable {
    std::uint64_t entry_offset = 0;  ///< file offset of the 8-byte data directory entry
    std::uint32_t offset = 0;        ///< the table's file offset (0: not signed)
    std::uint32_t size = 0;
};

/// For a PE image whose first bytes are `head`, its certificate table entry; nullopt when
/// `head` is not a PE image (or its headers lie beyond kPeHeadSize).
std::optional<PeCertificateTable> pe_certificate_table(ByteView head);

/// The same, read from the file at `path` (nullopt too when it cannot be read).
std::optional<PeCertificateTable> read_pe_certificate_table(const std::filesystem::path& path);

/// Where the program's own bytes end in a file of `file_size` bytes starting with `head`:
/// before an Authenticode certificate table that ends the file, else the file's end.
std::uint64_t pe_content_end(ByteView head, std::uint64_t file_size);

}  // namespace helpline
