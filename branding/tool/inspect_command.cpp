#include <fmt/ostream.h>

#include <nlohmann/json.hpp>

#include "branding/tool/commands.h"
#include "branding/tool/describe.h"
#include "shared/stamp.h"

namespace helpline::brand {

int inspect(const InspectOptions& options, Io io) {
    const std::string file = options.binary.string();
    auto content = read_stamp(options.binary);
    std::vector<ProfileProblem> problems;
    Profile profile;
    if (content) problems = parse_profile_text(content->profile_json, profile);

    if (options.json) {
        nlohmann::ordered_json doc;
        doc["file"] = file;
        doc["branded"] = content.ok() || content.error().code != stamp_error::kNotStamped;
        doc["valid"] = content.ok() && problems.empty();
        if (!content) {
            doc["error"] = {{"code", content.error().code}, {"message", content.error().message}};
        } else {
            doc["problems"] = problems_json(problems);
            doc["profile"] = profile_summary_json(profile);
            nlohmann::ordered_json assets = nlohmann::ordered_json::array();
            for (const auto& a : content->assets) assets.push_back({{"name", a.name}, {"size", a.data.size()}});
            doc["assets"] = assets;
            doc["signature"] = {{"valid", true},
                                {"public_key", public_key_to_base64(content->key)},
                                {"fingerprint", fingerprint(content->key)},
                                {"short_fingerprint", short_fingerprint(content->key)},
                                {"trusted_keys_pinned", !trusted_stamp_keys().empty()}};
        }
        io.out << doc.dump(2) << '\n';
        return doc["valid"].get<bool>() ? kExitOk : kExitInvalid;
    }

    if (!content) {
        if (content.error().code == stamp_error::kNotStamped)
            fmt::print(io.err, "{}: not branded: no stamp found at the end of the file (a branded build that was cut short looks like this too).\n", file);
        else
            fmt::print(io.err, "{}: REFUSED: {}\n", file, content.error().message);
        return kExitInvalid;
    }
    if (!problems.empty()) {
        fmt::print(io.err, "{}: the signature is valid but the profile inside is not:\n", file);
        print_problems(io.err, file, problems);
        return kExitInvalid;
    }
    fmt::print(io.out, "{}: branded, signature valid\n", file);
    print_profile_summary(io.out, profile);
    for (const auto& a : content->assets)
        fmt::print(io.out, "  Asset:      {} ({} bytes)\n", a.name, a.data.size());
    fmt::print(io.out, "  Signed by:  {} ({})\n", fingerprint(content->key), short_fingerprint(content->key));
    fmt::print(io.out, "  Trust:      {}\n",
               trusted_stamp_keys().empty() ? "any key (this build pins no trusted keys)"
                                            : "a key pinned in this build");
    return kExitOk;
}

}  // namespace helpline::brand
