// The branding profile's JSON and its validation (shared/profile_json.*, profile_rules.*):
// what helpline-brand reads from an admin's file and the server from an upload. Any text
// must come back as a profile or as problems, each with a path and a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "shared/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    helpline::Profile profile;
    const auto problems = helpline::parse_profile_text(text, profile);
    for (const auto& problem : problems)
        if (problem.message.empty()) std::abort();  // every problem must say what is wrong
    return 0;
}
