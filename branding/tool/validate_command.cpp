#include <fmt/ostream.h>

#include <nlohmann/json.hpp>

#include "branding/tool/commands.h"
#include "branding/tool/describe.h"
#include "branding/tool/profile_source.h"

namespace helpline::brand {

int validate(const ValidateOptions& options, Io io) {
    const ProfileSource src = load_profile_source(options.profile);
    if (options.json) {
        nlohmann::ordered_json doc;
        doc["file"] = src.file.string();
        doc["valid"] = src.problems.empty();
        doc["problems"] = problems_json(src.problems);
        if (src.problems.empty()) doc["profile"] = profile_summary_json(src.profile);
        io.out << doc.dump(2) << '\n';
        return src.problems.empty() ? kExitOk : kExitInvalid;
    }
    if (!src.problems.empty()) {
        print_problems(io.err, src.file.string(), src.problems);
        return kExitInvalid;
    }
    fmt::print(io.out, "{}: valid\n", src.file.string());
    print_profile_summary(io.out, src.profile);
    return kExitOk;
}

}  // namespace helpline::brand
