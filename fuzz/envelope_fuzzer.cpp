// The signed profile envelope (shared/envelope.*): what a client fetches from the server.
// The input is read two ways: as an envelope, which reaches every check up to the
// signature (the fuzzer cannot forge one; the seeds are real envelopes), and as the profile
// inside an envelope this fuzzer signs itself, which reaches the checks after it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "shared/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace helpline;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)parse_envelope(text);

    static const SigningKey key = [] {
        auto made = SigningKey::generate();
        if (!made) std::abort();
        return std::move(*made);
    }();
    const auto signed_envelope = parse_envelope(make_envelope("acme", 3, text, {}, key));
    // Signed by the key it names: only the profile inside can be wrong.
    if (!signed_envelope && signed_envelope.error().where != "profile") std::abort();
    return 0;
}
