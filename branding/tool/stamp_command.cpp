#include <fmt/ostream.h>

#include "branding/tool/commands.h"
#include "branding/tool/describe.h"
#include "branding/tool/profile_source.h"
#include "branding/tool/stamping.h"
#include "shared/atomic_file.h"
#include "shared/stamp.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

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
    auto base = check_stamp_base(client, options.restamp);
    if (!base) {
        fmt::print(io.err, "error: {}\n", base.error().message);
        return kExitInvalid;
    }
    const std::uint64_t base_size = base->program_size;

    auto trailer = build_stamp(src.compact_json, src.assets, key);
    if (!trailer) {
        fmt::print(io.err, "error: {}\n", trailer.error().message);
        return kExitInvalid;
    }
    const fs::path out = output_path(options, src.profile);
    if (auto s = copy_and_append_atomic(client, base_size, *trailer, out, 0755, base->unsign); !s) {
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
    if (!base->unsign.empty())
        fmt::print(io.out,
                   "  Note:       the base's Authenticode signature was removed (it cannot cover a "
                   "stamp added after it). Sign {} now, e.g. with osslsigncode sign.\n",
                   out.string());
    if (auto trusted = verify_trusted(public_key, trusted_stamp_keys()); !trusted)
        fmt::print(io.err, "warning: {}\n", trusted.error().message);
    return kExitOk;
}

}  // namespace helpline::brand
