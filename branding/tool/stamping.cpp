#include "branding/tool/stamping.h"

#include <fmt/format.h>

#include <fstream>

#include "shared/pe_image.h"
#include "shared/stamp.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

/// Executable formats a Helpline client can come in: ELF, PE, Mach-O.
bool looks_executable(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char magic[4] = {};
    in.read(reinterpret_cast<char*>(magic), sizeof magic);
    if (in.gcount() < 4) return false;
    const bool elf = magic[0] == 0x7F && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
    const bool pe = magic[0] == 'M' && magic[1] == 'Z';
    const bool macho = (magic[0] == 0xCF || magic[0] == 0xCE) && magic[1] == 0xFA &&
                       magic[2] == 0xED && magic[3] == 0xFE;
    return elf || pe || macho;
}

}  // namespace

Result<StampBase> check_stamp_base(const fs::path& client, bool restamp) {
    std::error_code ec;
    if (!fs::is_regular_file(client, ec))
        return make_error(
            "base.missing",
            fmt::format("the client '{}' does not exist or is not a file.", client.string()),
            client.string());
    if (!looks_executable(client))
        return make_error(
            "base.not_executable",
            fmt::format("'{}' is not an executable (ELF, PE or Mach-O); pass the prebuilt "
                        "helpline or helpline-cli program with --client.",
                        client.string()),
            client.string());
    StampBase base{client, fs::file_size(client, ec), {}};
    if (auto table = read_pe_certificate_table(client); table && table->offset != 0) {
        base.program_size = std::min<std::uint64_t>(base.program_size, table->offset);
        base.unsign.push_back({table->entry_offset, Bytes(8, 0)});
    }
    auto existing = read_stamp_location(client);
    if (existing) {
        if (!restamp)
            return make_error(
                "base.stamped",
                fmt::format("'{}' is already branded. Stamp an unbranded client, or pass "
                            "--restamp to replace its stamp.",
                            client.string()),
                client.string());
        base.program_size = existing->offset;
    } else if (existing.error().code != stamp_error::kNotStamped) {
        return make_error("base.damaged",
                          fmt::format("'{}' carries a damaged stamp ({}) Use an unbranded client.",
                                      client.string(), existing.error().message),
                          client.string());
    }
    return base;
}

}  // namespace helpline::brand
