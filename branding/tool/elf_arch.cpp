#include "branding/tool/elf_arch.h"

#include <fmt/format.h>

#include <cstdint>
#include <fstream>

namespace helpline::brand {
namespace {

// From the ELF specification and <elf.h>; spelt out so the tool needs no system header.
constexpr std::uint16_t kMachine386 = 3, kMachineMips = 8, kMachinePpc64 = 21, kMachineS390 = 22,
                        kMachineArm = 40, kMachineAmd64 = 62, kMachineAarch64 = 183,
                        kMachineRiscv = 243, kMachineLoongarch = 258;
constexpr std::uint32_t kArmHardFloat = 0x400;  // EF_ARM_ABI_FLOAT_HARD

}  // namespace

Result<std::string> debian_architecture(const std::filesystem::path& program) {
    std::ifstream in(program, std::ios::binary);
    unsigned char h[64] = {};
    in.read(reinterpret_cast<char*>(h), sizeof h);
    const auto got = in.gcount();
    if (got < 52 || h[0] != 0x7F || h[1] != 'E' || h[2] != 'L' || h[3] != 'F')
        return make_error(
            "base.not_elf",
            fmt::format("'{}' is not an ELF program, so it cannot go into a Debian package; "
                        "use a client base built for Linux.",
                        program.string()),
            program.string());
    const bool is64 = h[4] == 2;
    const bool little = h[5] == 1;
    auto u16 = [&](int at) {
        return static_cast<std::uint16_t>(little ? h[at] | h[at + 1] << 8 : h[at] << 8 | h[at + 1]);
    };
    auto u32 = [&](int at) {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v |= static_cast<std::uint32_t>(h[at + (little ? i : 3 - i)]) << (8 * i);
        return v;
    };
    if (is64 && got < 64)
        return make_error("base.not_elf", fmt::format("'{}' is cut short.", program.string()));
    const std::uint16_t machine = u16(18);
    const std::uint32_t flags = u32(is64 ? 48 : 36);
    std::string arch;
    switch (machine) {
        case kMachineAmd64:
            arch = is64 ? "amd64" : "";
            break;
        case kMachine386:
            arch = "i386";
            break;
        case kMachineAarch64:
            arch = "arm64";
            break;
        case kMachineArm:
            arch = (flags & kArmHardFloat) != 0 ? "armhf" : "armel";
            break;
        case kMachinePpc64:
            arch = is64 ? (little ? "ppc64el" : "ppc64") : "";
            break;
        case kMachineS390:
            arch = is64 ? "s390x" : "";
            break;
        case kMachineRiscv:
            arch = is64 ? "riscv64" : "";
            break;
        case kMachineMips:
            arch = little ? (is64 ? "mips64el" : "mipsel") : "";
            break;
        case kMachineLoongarch:
            arch = is64 ? "loong64" : "";
            break;
        default:
            break;
    }
    if (arch.empty())
        return make_error(
            "base.unknown_arch",
            fmt::format("'{}' is built for a processor Debian has no architecture name for "
                        "here (ELF machine {}, {}-bit).",
                        program.string(), machine, is64 ? 64 : 32),
            program.string());
    return arch;
}

}  // namespace helpline::brand
