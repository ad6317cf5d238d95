#include <fmt/ostream.h>

#include "branding/tool/commands.h"
#include "shared/atomic_file.h"
#include "shared/ed25519.h"

namespace helpline::brand {

int keygen(const KeygenOptions& options, Io io) {
    namespace fs = std::filesystem;
    const fs::path private_path = options.out_dir / "signing-key.pem";
    const fs::path public_path = options.out_dir / "signing-key.pub";
    std::error_code ec;
    fs::create_directories(options.out_dir, ec);
    if (ec) {
        fmt::print(io.err, "error: could not create the folder '{}': {}\n", options.out_dir.string(),
                   ec.message());
        return kExitInvalid;
    }
    if (!options.force && (fs::exists(private_path) || fs::exists(public_path))) {
        fmt::print(io.err,
                   "error: '{}' already holds a signing key; builds signed with it would no longer "
                   "match a new one. Use another folder, or --force to replace it.\n",
                   options.out_dir.string());
        return kExitInvalid;
    }
    auto key = SigningKey::generate();
    if (!key) {
        fmt::print(io.err, "error: {}\n", key.error().message);
        return kExitInvalid;
    }
    const PublicKey public_key = key->public_key();
    const std::string public_pem = public_key_to_pem(public_key);
    if (auto s = key->save(private_path); !s) {
        fmt::print(io.err, "error: {}\n", s.error().message);
        return kExitInvalid;
    }
    if (auto s = write_file_atomic(public_path, as_bytes(public_pem), 0644); !s) {
        fmt::print(io.err, "error: {}\n", s.error().message);
        return kExitInvalid;
    }
    fmt::print(io.out,
               "Private key: {} (mode 0600: keep it secret and backed up)\n"
               "Public key:  {}\n"
               "Public key (base64, for HELPLINE_TRUSTED_KEYS): {}\n"
               "Fingerprint: {} ({})\n",
               private_path.string(), public_path.string(), public_key_to_base64(public_key),
               fingerprint(public_key), short_fingerprint(public_key));
    return kExitOk;
}

}  // namespace helpline::brand
