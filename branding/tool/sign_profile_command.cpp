#include <fmt/ostream.h>

#include "branding/tool/commands.h"
#include "branding/tool/describe.h"
#include "branding/tool/profile_source.h"
#include "shared/atomic_file.h"
#include "shared/envelope.h"

namespace helpline::brand {

int sign_profile(const SignProfileOptions& options, Io io) {
    auto inputs = load_signing_inputs(options.profile, options.key, io.err);
    if (!inputs) return kExitInvalid;
    const ProfileSource& src = inputs->source;
    const SigningKey& key = inputs->key;
    const std::string envelope =
        make_envelope(src.profile.id, src.profile.revision, src.compact_json, src.assets, key);
    const std::filesystem::path out =
        options.out.empty()
            ? std::filesystem::path(fmt::format("{}-r{}.envelope.json", src.profile.id, src.profile.revision))
            : options.out;
    if (auto s = write_file_atomic(out, as_bytes(envelope), 0644); !s) {
        fmt::print(io.err, "error: {}\n", s.error().message);
        return kExitInvalid;
    }
    const PublicKey public_key = key.public_key();
    fmt::print(io.out,
               "Signed {} revision {}: {}\n"
               "  Signed by:  {} ({})\n"
               "Clients take it only if their stamp is signed by this key and their revision is lower.\n"
               "Publish it with: helpline-server profile publish {}\n",
               src.profile.id, src.profile.revision, out.string(), fingerprint(public_key),
               short_fingerprint(public_key), out.string());
    return kExitOk;
}

}  // namespace helpline::brand
