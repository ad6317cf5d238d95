#include "branding/tool/describe.h"

#include <fmt/ostream.h>
#include <fmt/ranges.h>

namespace helpline::brand {
namespace {

std::string groups_line(const Profile& profile) {
    std::vector<std::string> parts;
    for (const auto& g : profile.assistance.groups)
        parts.push_back(fmt::format("{} ({})", g.id, g.name.get("en")));
    return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

void print_profile_summary(std::ostream& out, const Profile& p) {
    fmt::print(out,
               "  Profile:    {}, revision {}\n"
               "  Name:       {}\n"
               "  Server:     {}{}\n"
               "  Assistance: {}; groups: {}\n"
               "  Remote:     {}\n"
               "  Languages:  {}\n",
               p.id, p.revision, p.name.get("en"), p.server.url,
               p.server.pins.empty() ? "" : fmt::format(" ({} pinned keys)", p.server.pins.size()),
               p.assistance.enabled ? "on" : "off", groups_line(p),
               p.remote.enabled ? fmt::format("on, {} backend(s), requests expire after {} s",
                                              p.remote.backends.size(), p.remote.request_timeout_s)
                                : "off",
               fmt::join(p.languages, ", "));
    if (!p.support.email.empty())
        fmt::print(out, "  Support:    {}{}\n", p.support.email, p.support.url.empty() ? "" : " · " + p.support.url);
}

nlohmann::ordered_json profile_summary_json(const Profile& p) {
    nlohmann::ordered_json doc;
    doc["id"] = p.id;
    doc["revision"] = p.revision;
    doc["name"] = p.name.get("en");
    doc["server"] = p.server.url;
    doc["pins"] = p.server.pins;
    if (!p.server.ca.empty()) doc["ca"] = true;
    nlohmann::ordered_json groups = nlohmann::ordered_json::array();
    for (const auto& g : p.assistance.groups) groups.push_back({{"id", g.id}, {"name", g.name.get("en")}});
    doc["assistance"] = {{"enabled", p.assistance.enabled}, {"groups", groups}};
    nlohmann::ordered_json backends = nlohmann::ordered_json::array();
    for (const auto& b : p.remote.backends) backends.push_back(b.id);
    doc["remote"] = {{"enabled", p.remote.enabled},
                     {"request_timeout_s", p.remote.request_timeout_s},
                     {"backends", backends}};
    doc["languages"] = p.languages;
    if (!p.support.email.empty()) doc["support"] = {{"email", p.support.email}, {"url", p.support.url}};
    return doc;
}

void print_problems(std::ostream& out, const std::string& file,
                    const std::vector<ProfileProblem>& problems) {
    fmt::print(out, "{}: {} problem{}:\n", file, problems.size(), problems.size() == 1 ? "" : "s");
    for (const auto& p : problems) fmt::print(out, "  {}\n", p.to_string());
}

nlohmann::ordered_json problems_json(const std::vector<ProfileProblem>& problems) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& p : problems) list.push_back({{"path", p.path}, {"message", p.message}});
    return list;
}

}  // namespace helpline::brand
