#include "branding/tool/debian_docs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "branding/tool/embedded_files.h"
#include "branding/tool/package_texts.h"

namespace helpline::brand {
namespace {

/// A field's continuation lines: each starts with a space.
std::string continuation(std::string_view text) {
    std::string out;
    for (const auto& line : wrap_words(text, 76)) out += " " + line + "\n";
    return out;
}

/// The paragraphs of a DEP-5 file, without their trailing line breaks.
std::vector<std::string> paragraphs(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find("\n\n", start);
        if (end == std::string_view::npos) end = text.size();
        std::string p(text.substr(start, end - start));
        while (!p.empty() && p.back() == '\n') p.pop_back();
        if (!p.empty()) out.push_back(std::move(p));
        start = end + 2;
    }
    return out;
}

}  // namespace

std::string copyright_file(const PackageInfo& info) {
    const Profile& p = *info.profile;
    // The programs' part comes from the team's own copyright file (installer/deb/copyright,
    // built into helpline-brand): its "Files: *" paragraph and the licences of the
    // header-only libraries compiled into the clients. Its header speaks of the team's
    // packages, so this package has its own.
    std::string helpline_files;
    std::vector<std::string> licenses;
    for (auto& paragraph : paragraphs(helpline_copyright())) {
        if (paragraph.starts_with("Files: *\n")) helpline_files = paragraph;
        if (paragraph.starts_with("License: BSD-3-clause\n") ||
            paragraph.starts_with("License: Expat\n"))
            licenses.push_back(paragraph);
    }
    std::string out = fmt::format(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: Helpline\n"
        "Comment:\n"
        "{}"
        " .\n"
        "{}",
        continuation(
            fmt::format("{} is the Helpline client branded for {} with helpline-brand package: "
                        "Helpline's programs with {}'s profile (name, logo, texts, server) signed "
                        "into them. Write to {} about this package.",
                        info.id, info.name, info.name, p.support.email)),
        continuation(
            "The programs also contain code compiled from header-only libraries, as packaged by "
            "Debian, under their own licenses (below): CLI11 (Copyright 2017-2020 University of "
            "Cincinnati, BSD-3-clause) and nlohmann/json (Copyright 2013-2022 Niels Lohmann, "
            "Expat). "
            "The shared libraries they use come from their own Debian packages."));
    if (!helpline_files.empty()) out += "\n" + helpline_files + "\n";
    out += fmt::format(
        "\n"
        "Files: usr/share/icons/hicolor/* usr/share/applications/* usr/share/metainfo/*\n"
        "Copyright: {} {}\n"
        "License: {}-brand\n"
        "{}",
        utc_time(info.mtime, "%Y"), info.name, info.id,
        continuation(fmt::format("The name, logo and texts of {} belong to {}; write to {} about "
                                 "their use.",
                                 info.name, info.name, p.support.email)));
    for (const auto& license : licenses) out += "\n" + license + "\n";
    return out;
}

std::string changelog(const PackageInfo& info) {
    const Profile& p = *info.profile;
    return fmt::format(
        "{0} ({1}) stable; urgency=medium\n"
        "\n"
        "{2}"
        "\n"
        " -- {3}  {4}\n",
        info.id, info.version,
        fmt::format("  * {}\n",
                    fmt::join(wrap_words(fmt::format("{}, profile revision {}, on the Helpline "
                                                     "client {}.",
                                                     info.name, p.revision, info.base_version),
                                         72),
                              "\n    ")),
        info.maintainer, utc_time(info.mtime, "%a, %d %b %Y %H:%M:%S +0000"));
}

}  // namespace helpline::brand
