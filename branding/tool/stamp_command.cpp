#include <fmt/ostream.h>

#include <fstream>

#include "branding/tool/commands.h"
#include "branding/tool/describe.h"
#include "branding/tool/profile_source.h"
#include "shared/atomic_file.h"
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

fs::path output_path(const StampOptions& options, const Profile& profile) {
    const bool cli = options.client.filename().string().find("-cli") != std::string::npos;
    const std::string name = profile.id + (cli ? "-cli" : "");
    if (options.out.empty()) return fs::path(name);
    if (fs::is_directory(options.out)) return options.out / name;
    return options.out;
}

}  // namespace

int stamp(const StampOptions& options, Io io) {
    auto inputs = load_signing_inputs(options.profile, options.key, io.err);
    if (!inputs) return kExitInvalid;
    const ProfileSource& src = inputs->source;
    const SigningKey& key = inputs->key;
    const fs::path& client = options.client;
    std::error_code ec;
    if (!fs::is_regular_file(client, ec)) {
        fmt::print(io.err, "error: the client '{}' does not exist or is not a file.\n", client.string());
        return kExitInvalid;
    }
    if (!looks_executable(client)) {
        fmt::print(io.err,
                   "error: '{}' is not an executable (ELF, PE or Mach-O); pass the prebuilt helpline "
                   "or helpline-cli program with --client.\n",
                   client.string());
        return kExitInvalid;
    }
    std::uint64_t base_size = fs::file_size(client, ec);
    auto existing = read_stamp_location(client);
    if (existing) {
        if (!options.restamp) {
            fmt::print(io.err,
                       "error: '{}' is already branded. Stamp an unbranded client, or pass --restamp "
                       "to replace its stamp.\n",
                       client.string());
            return kExitInvalid;
        }
        base_size = existing->offset;
    } else if (existing.error().code != stamp_error::kNotStamped) {
        fmt::print(io.err, "error: '{}' carries a damaged stamp ({}) Use an unbranded client.\n",
                   client.string(), existing.error().message);
        return kExitInvalid;
    }

    auto trailer = build_stamp(src.compact_json, src.assets, key);
    if (!trailer) {
        fmt::print(io.err, "error: {}\n", trailer.error().message);
        return kExitInvalid;
    }
    const fs::path out = output_path(options, src.profile);
    if (auto s = copy_and_append_atomic(client, base_size, *trailer, out, 0755); !s) {
        fmt::print(io.err, "error: {}\n", s.error().message);
        return kExitInvalid;
    }

    const PublicKey public_key = key.public_key();
    fmt::print(io.out, "Stamped {}\n", out.string());
    print_profile_summary(io.out, src.profile);
    fmt::print(io.out,
               "  Base:       {} ({} bytes)\n"
               "  Stamp:      {} bytes\n"
               "  Signed by:  {} ({})\n",
               client.string(), base_size, trailer->size(), fingerprint(public_key),
               short_fingerprint(public_key));
    if (auto trusted = verify_trusted(public_key, trusted_stamp_keys()); !trusted)
        fmt::print(io.err, "warning: {}\n", trusted.error().message);
    return kExitOk;
}

}  // namespace helpline::brand
