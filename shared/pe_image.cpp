#include "shared/pe_image.h"

#include <fstream>

namespace helpline {
namespace {

constexpr std::uint32_t kPeHeaderPointer = 0x3C;  // e_lfanew in the DOS header
constexpr std::size_t kCoffHeaderSize = 20;
constexpr std::uint16_t kPe32Magic = 0x10B, kPe32PlusMagic = 0x20B;
constexpr std::uint32_t kSecurityDirectory = 4;

}  // namespace

std::optional<PeCertificateTable> pe_certificate_table(ByteView head) {
    if (head.size() < kPeHeaderPointer + 4 || head[0] != 'M' || head[1] != 'Z') return std::nullopt;
    const std::uint64_t pe = read_u32le(head.data() + kPeHeaderPointer);
    const std::uint64_t optional = pe + 4 + kCoffHeaderSize;
    if (optional + 2 > head.size()) return std::nullopt;
    if (head[pe] != 'P' || head[pe + 1] != 'E' || head[pe + 2] != 0 || head[pe + 3] != 0)
        return std::nullopt;
    const std::uint16_t magic = read_u16le(head.data() + optional);
    // NumberOfRvaAndSizes, then the directories: at 92/96 in PE32, at 108/112 in PE32+.
    std::uint64_t count_at = 0;
    if (magic == kPe32Magic)
        count_at = optional + 92;
    else if (magic == kPe32PlusMagic)
        count_at = optional + 108;
    else
        return std::nullopt;
    if (count_at + 4 > head.size()) return std::nullopt;
    const std::uint32_t count = read_u32le(head.data() + count_at);
    PeCertificateTable table;
    table.entry_offset = count_at + 4 + std::uint64_t{kSecurityDirectory} * 8;
    if (count <= kSecurityDirectory || table.entry_offset + 8 > head.size()) return std::nullopt;
    table.offset = read_u32le(head.data() + table.entry_offset);
    table.size = read_u32le(head.data() + table.entry_offset + 4);
    return table;
}

std::optional<PeCertificateTable> read_pe_certificate_table(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    Bytes head(kPeHeadSize);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return pe_certificate_table(head);
}

std::uint64_t pe_content_end(ByteView head, std::uint64_t file_size) {
    const auto table = pe_certificate_table(head);
    if (!table || table->offset == 0 || table->size == 0) return file_size;
    if (std::uint64_t{table->offset} + table->size != file_size) return file_size;
    return table->offset;
}

}  // namespace helpline
