#include "branding/tool/package_info.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "branding/tool/appstream.h"
#include "branding/tool/debian_names.h"

namespace helpline::brand {
namespace {

/// A name for the Maintainer field (Policy §5.6.2: "Name <email>"): no ',' (which would
/// split it into two maintainers), '<' or '>', no line breaks.
std::string maintainer_name(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (c == ',' || c == '<' || c == '>' || c == '\n' || c == '\r' || c == '\t') c = ' ';
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

/// The base's Depends with x11vnc, which the remote session runs.
std::string with_x11vnc(const std::string& depends) {
    for (std::size_t start = 0; start < depends.size();) {
        std::size_t end = depends.find(',', start);
        if (end == std::string::npos) end = depends.size();
        std::string_view item(depends.data() + start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        if (item == "x11vnc" || item.starts_with("x11vnc ") || item.starts_with("x11vnc("))
            return depends;
        start = end + 1;
    }
    return depends + ", x11vnc";
}

bool has_backend(const ClientBase& base, std::string_view name) {
    return std::any_of(base.backends.begin(), base.backends.end(),
                       [name](const BaseBackend& b) { return b.name == name; });
}

}  // namespace

std::string utc_time(std::int64_t t, const char* format) {
    const auto time = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&time, &tm);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
    return std::string(buf, n);
}

Result<PackageInfo> make_package_info(const Profile& profile, const ClientBase& base,
                                      std::int64_t mtime) {
    if (auto s = check_package_name(profile.id); !s) return s.error();
    if (profile.support.email.empty())
        return make_error(
            "profile.support",
            fmt::format("the profile has no support contact, and a package needs a maintainer "
                        "customers can write to. Add one to the profile, e.g. \"support\": "
                        "{{\"email\": \"help@{}.example\"}} (docs/profile.md), then package again.",
                        profile.id),
            "support.email");
    PackageInfo info;
    info.profile = &profile;
    info.id = profile.id;
    info.name = profile.name.get("en");
    info.base_version = base.version;
    info.version = fmt::format("{}-{}", profile.revision, base.version);
    info.architecture = base.architecture;
    info.depends = with_x11vnc(base.depends);
    info.library_depends = base.depends;
    // Not Depends: an X11 session uses neither (docs/installer.md, "Control fields").
    // helpline-portal-vnc talks to the desktop's xdg-desktop-portal, which every GNOME and
    // KDE desktop has (their portal backends depend on it); helpline-vnc-auth fronts wayvnc,
    // which only sway and Hyprland users need.
    info.wayland = has_backend(base, "helpline-portal-vnc");
    if (info.wayland) info.recommends = "xdg-desktop-portal";
    if (has_backend(base, "helpline-vnc-auth")) info.suggests = "wayvnc";
    std::string who = maintainer_name(info.name);
    if (who.empty()) who = profile.id;
    info.maintainer = fmt::format("{} <{}>", who, profile.support.email);
    info.component_id = appstream_component_id(profile);
    info.mtime = mtime;
    return info;
}

}  // namespace helpline::brand
