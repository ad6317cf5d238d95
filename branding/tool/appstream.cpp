#include "branding/tool/appstream.h"

#include <fmt/format.h>

#include "branding/tool/package_info.h"
#include "branding/tool/package_texts.h"
#include "shared/localized.h"

namespace helpline::brand {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// The host of an absolute URL the profile rules accepted (scheme://[user@]host[:port]/...).
std::string url_host(std::string_view url) {
    auto start = url.find("://");
    if (start == std::string_view::npos) return {};
    url.remove_prefix(start + 3);
    url = url.substr(0, url.find_first_of("/?#"));
    if (auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
    if (!url.empty() && url.front() == '[') return {};  // IPv6 literal
    return lower(url.substr(0, url.find(':')));
}

/// A name with at least two labels that is not a dotted IPv4 address.
bool is_domain(std::string_view host) {
    if (host.find('.') == std::string_view::npos) return false;
    return host.find_first_not_of("0123456789.") != std::string_view::npos;
}

std::string segment(std::string_view s) {
    std::string out;
    for (char c : s) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out += ok ? c : '_';
    }
    if (out.empty() || (out.front() >= '0' && out.front() <= '9')) out.insert(out.begin(), '_');
    return out;
}

std::string escape_xml(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace

std::string appstream_component_id(const Profile& profile) {
    std::string domain = url_host(profile.server.url);
    if (!is_domain(domain)) {
        const auto at = profile.support.email.rfind('@');
        domain =
            at == std::string::npos ? std::string() : lower(profile.support.email.substr(at + 1));
    }
    std::string id;
    for (std::size_t end = domain.size(); !domain.empty();) {
        const std::size_t dot = domain.rfind('.', end - 1);
        const std::size_t begin = dot == std::string::npos ? 0 : dot + 1;
        if (end > begin) id += segment(std::string_view(domain).substr(begin, end - begin)) + '.';
        if (dot == std::string::npos || dot == 0) break;
        end = dot;
    }
    if (id.empty()) id = "local.";  // no domain at all: still a valid reverse-DNS shape
    return id + segment(profile.id);
}

std::string appstream_metainfo(const PackageInfo& info) {
    const Profile& p = *info.profile;
    std::string xml;
    auto w = std::back_inserter(xml);
    fmt::format_to(w,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<!-- Made by helpline-brand package from the profile {0}, revision {1}. -->\n"
                   "<component type=\"desktop-application\">\n"
                   "  <id>{2}</id>\n"
                   "  <metadata_license>FSFAP</metadata_license>\n"
                   "  <name>{3}</name>\n",
                   p.id, p.revision, info.component_id, escape_xml(info.name));
    for (const auto& [language, text] : p.name.entries()) {
        const std::string tag = normalize_language(language);
        if (tag != "en" && text != info.name)
            fmt::format_to(w, "  <name xml:lang=\"{}\">{}</name>\n", tag, escape_xml(text));
    }
    fmt::format_to(w, "  <summary>{}</summary>\n", escape_xml(english_package_texts().comment));
    for (const auto& language : p.languages) {
        const std::string tag = normalize_language(language);
        if (const PackageTexts* t = find_package_texts(tag); t != nullptr && tag != "en")
            fmt::format_to(w, "  <summary xml:lang=\"{}\">{}</summary>\n", tag,
                           escape_xml(t->comment));
    }
    fmt::format_to(w, "  <description>\n");
    if (p.appearance.welcome.empty()) {
        fmt::format_to(w, "    <p>{}</p>\n",
                       escape_xml(fmt::format(fmt::runtime(english_package_texts().readme_intro),
                                              fmt::arg("name", info.name))));
    } else {
        const std::string& english = p.appearance.welcome.get("en");
        fmt::format_to(w, "    <p>{}</p>\n", escape_xml(english));
        for (const auto& [language, text] : p.appearance.welcome.entries()) {
            const std::string tag = normalize_language(language);
            if (tag != "en" && text != english)
                fmt::format_to(w, "    <p xml:lang=\"{}\">{}</p>\n", tag, escape_xml(text));
        }
    }
    fmt::format_to(w,
                   "  </description>\n"
                   "  <launchable type=\"desktop-id\">{0}.desktop</launchable>\n"
                   "  <provides>\n"
                   "    <binary>{0}</binary>\n"
                   "    <binary>{0}-cli</binary>\n"
                   "  </provides>\n"
                   "  <categories>\n"
                   "    <category>Network</category>\n"
                   "    <category>RemoteAccess</category>\n"
                   "  </categories>\n",
                   info.id);
    if (!p.support.url.empty())
        fmt::format_to(w, "  <url type=\"help\">{}</url>\n", escape_xml(p.support.url));
    fmt::format_to(w,
                   "  <developer_name>{}</developer_name>\n"
                   "  <update_contact>{}</update_contact>\n"
                   "  <content_rating type=\"oars-1.1\"/>\n"
                   "  <releases>\n"
                   "    <release version=\"{}\" date=\"{}\"/>\n"
                   "  </releases>\n"
                   "</component>\n",
                   escape_xml(info.name), escape_xml(p.support.email), escape_xml(info.version),
                   utc_time(info.mtime, "%Y-%m-%d"));
    return xml;
}

}  // namespace helpline::brand
