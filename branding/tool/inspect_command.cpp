#include <fmt/ostream.h>

#include <algorithm>
#include <optional>
#include <nlohmann/json.hpp>

#include "branding/tool/archive_reader.h"
#include "branding/tool/commands.h"
#include "branding/tool/describe.h"
#include "shared/pe_image.h"
#include "shared/stamp.h"

namespace helpline::brand {
namespace {

/// One branded program's verdict: its stamp read and verified, its profile parsed.
struct ProgramVerdict {
    std::string name;  ///< the file, or its path inside a package
    Result<StampContent> content;
    Profile profile;
    std::vector<ProfileProblem> problems;
    /// A Windows program: whether it carries an Authenticode signature (not checked here).
    std::optional<bool> authenticode;

    ProgramVerdict(std::string n, Result<StampContent> c)
        : name(std::move(n)), content(std::move(c)) {
        if (content) problems = parse_profile_text(content->profile_json, profile);
    }
    bool valid() const { return content.ok() && problems.empty(); }
};

nlohmann::ordered_json verdict_json(const ProgramVerdict& v) {
    nlohmann::ordered_json doc;
    doc["file"] = v.name;
    doc["branded"] = v.content.ok() || v.content.error().code != stamp_error::kNotStamped;
    doc["valid"] = v.valid();
    if (v.authenticode) doc["authenticode_signed"] = *v.authenticode;
    if (!v.content) {
        doc["error"] = {{"code", v.content.error().code}, {"message", v.content.error().message}};
        return doc;
    }
    doc["problems"] = problems_json(v.problems);
    doc["profile"] = profile_summary_json(v.profile);
    nlohmann::ordered_json assets = nlohmann::ordered_json::array();
    for (const auto& a : v.content->assets)
        assets.push_back({{"name", a.name}, {"size", a.data.size()}});
    doc["assets"] = assets;
    doc["signature"] = {{"valid", true},
                        {"public_key", public_key_to_base64(v.content->key)},
                        {"fingerprint", fingerprint(v.content->key)},
                        {"short_fingerprint", short_fingerprint(v.content->key)},
                        {"trusted_keys_pinned", !trusted_stamp_keys().empty()}};
    return doc;
}

/// The verdict for people: the summary on `out`, or why the program is refused on `err`.
void print_verdict(const ProgramVerdict& v, Io io) {
    if (!v.content) {
        if (v.content.error().code == stamp_error::kNotStamped)
            fmt::print(io.err,
                       "{}: not branded: no stamp found at the end of the file (a branded build "
                       "that was cut short looks like this too).\n",
                       v.name);
        else
            fmt::print(io.err, "{}: REFUSED: {}\n", v.name, v.content.error().message);
        return;
    }
    if (!v.problems.empty()) {
        fmt::print(io.err, "{}: the signature is valid but the profile inside is not:\n", v.name);
        print_problems(io.err, v.name, v.problems);
        return;
    }
    fmt::print(io.out, "{}: branded, signature valid\n", v.name);
    print_profile_summary(io.out, v.profile);
    for (const auto& a : v.content->assets)
        fmt::print(io.out, "  Asset:      {} ({} bytes)\n", a.name, a.data.size());
    fmt::print(io.out, "  Signed by:  {} ({})\n", fingerprint(v.content->key),
               short_fingerprint(v.content->key));
    fmt::print(io.out, "  Trust:      {}\n",
               trusted_stamp_keys().empty() ? "any key (this build pins no trusted keys)"
                                            : "a key pinned in this build");
    if (v.authenticode)
        fmt::print(io.out, "  Windows:    {}\n",
                   *v.authenticode ? "Authenticode-signed (Windows or osslsigncode verify checks "
                                     "that signature; the stamp's is checked above)"
                                   : "not Authenticode-signed: sign it before giving it out");
}

/// A .deb, .tar.gz or Windows installer: every program inside, each with its verdict.
int inspect_package(const InspectOptions& options, PackageKind kind, Io io) {
    const std::string file = options.binary.string();
    auto contents = read_package(options.binary, kind);
    if (!contents) {
        if (options.json) {
            nlohmann::ordered_json doc;
            doc["file"] = file;
            doc["valid"] = false;
            doc["error"] = {{"code", contents.error().code}, {"message", contents.error().message}};
            io.out << doc.dump(2) << '\n';
        } else {
            fmt::print(io.err, "{}: REFUSED: {}\n", file, contents.error().message);
        }
        return kExitInvalid;
    }
    std::vector<ProgramVerdict> verdicts;
    for (const auto& p : contents->programs)
        verdicts.emplace_back(p.path, read_stamp_bytes(p.data));
    const bool valid = !verdicts.empty() && std::all_of(verdicts.begin(), verdicts.end(),
                                                        [](const auto& v) { return v.valid(); });
    const std::string kind_name = kind == PackageKind::deb    ? "deb"
                                  : kind == PackageKind::nsis ? "nsis"
                                                              : "tar.gz";

    if (options.json) {
        nlohmann::ordered_json doc;
        doc["file"] = file;
        doc["format"] = kind_name;
        if (kind == PackageKind::deb)
            doc["package"] = {{"name", control_field(contents->control, "Package")},
                              {"version", control_field(contents->control, "Version")},
                              {"architecture", control_field(contents->control, "Architecture")}};
        doc["valid"] = valid;
        nlohmann::ordered_json programs = nlohmann::ordered_json::array();
        for (const auto& v : verdicts) programs.push_back(verdict_json(v));
        doc["programs"] = programs;
        nlohmann::ordered_json backends = nlohmann::ordered_json::array();
        for (const auto& b : contents->backends)
            backends.push_back({{"file", b.path}, {"size", b.size}});
        doc["backends"] = backends;
        io.out << doc.dump(2) << '\n';
        return valid ? kExitOk : kExitInvalid;
    }
    const std::string backends =
        contents->backends.empty()
            ? ""
            : fmt::format(", {} backend program(s)", contents->backends.size());
    if (kind == PackageKind::deb)
        fmt::print(io.out, "{}: Debian package {} {} ({}), {} program(s){}\n", file,
                   control_field(contents->control, "Package"),
                   control_field(contents->control, "Version"),
                   control_field(contents->control, "Architecture"), verdicts.size(), backends);
    else
        fmt::print(io.out, "{}: {}, {} program(s){}\n", file,
                   kind == PackageKind::nsis ? "Windows installer (NSIS)" : "tar.gz archive",
                   verdicts.size(), backends);
    if (verdicts.empty()) fmt::print(io.err, "{}: REFUSED: it holds no programs.\n", file);
    for (const auto& v : verdicts) print_verdict(v, io);
    // The backends carry no stamp (the brand is in the programs that start them): listed,
    // with their size, for comparison with the client base's libexec/.
    for (const auto& b : contents->backends)
        fmt::print(io.out, "{}: backend program, not branded ({} bytes)\n", b.path, b.size);
    return valid ? kExitOk : kExitInvalid;
}

}  // namespace

int inspect(const InspectOptions& options, Io io) {
    if (const PackageKind kind = sniff_package_kind(options.binary); kind != PackageKind::none)
        return inspect_package(options, kind, io);
    ProgramVerdict v(options.binary.string(), read_stamp(options.binary));
    if (auto table = read_pe_certificate_table(options.binary)) v.authenticode = table->offset != 0;
    if (options.json) {
        io.out << verdict_json(v).dump(2) << '\n';
        return v.valid() ? kExitOk : kExitInvalid;
    }
    print_verdict(v, io);
    return v.valid() ? kExitOk : kExitInvalid;
}

}  // namespace helpline::brand
