#include "shared/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <map>

#include "shared/profile_json.h"
#include "shared/profile_rules.h"

namespace helpline {

namespace {

constexpr std::array<std::string_view, 4> kPriorityNames = {"low", "medium", "high", "urgent"};
constexpr std::array<std::string_view, 3> kSubjectNames = {"hidden", "optional", "required"};
constexpr std::array<std::string_view, 5> kSessionTypes = {"x11", "wayland", "windows", "none", "any"};

}  // namespace

std::string_view to_string(Priority p) {
    return kPriorityNames.at(static_cast<std::size_t>(p));
}

std::optional<Priority> parse_priority(std::string_view s) {
    const auto found = std::find(kPriorityNames.begin(), kPriorityNames.end(), s);
    if (found == kPriorityNames.end()) return std::nullopt;
    return static_cast<Priority>(found - kPriorityNames.begin());
}

std::string_view to_string(SubjectMode m) {
    return kSubjectNames.at(static_cast<std::size_t>(m));
}

namespace {

using profile_json::Json;
using profile_json::Kind;
using profile_rules::child_path;
using profile_rules::item_path;
using profile_rules::quote;

template <std::size_t N>
std::vector<std::string_view> as_list(const std::array<std::string_view, N>& names) {
    return {names.begin(), names.end()};
}

/// Sections switched on by default need their groups or backends: `enabled` decides that
/// wherever it stands in the object.
bool peek_enabled(const Json& section) {
    const auto found = section.find("enabled");
    return found == section.end() || !found->is_boolean() || found->get<bool>();
}

/// The profile's structure: which fields stand where, which are required, and the checks
/// that involve more than one field. Reads what it can into the Profile and reports the rest,
/// in document order.
class ProfileReader : private profile_json::JsonReader {
  public:
    explicit ProfileReader(Profile& profile) : profile_(profile) {}

    std::vector<ProfileProblem> read(const Json& doc) {
        profile_ = Profile{};
        if (!expect(doc, Kind::object, "")) return take_problems();
        note_languages(doc);
        read_fields(
            doc, "",
            {{"schema", [this](const Json& v, const std::string& p) { read_schema(v, p); },
              "add \"schema\": 1"},
             {"id", checked_string(profile_.id, profile_rules::check_profile_id),
              "add an id such as \"acme-support\" (it names the branded program)"},
             {"revision",
              [this](const Json& v, const std::string& p) {
                  const auto n = integer_in(v, p, 1, std::numeric_limits<std::int64_t>::max(), "");
                  if (n) profile_.revision = *n;
              },
              "add \"revision\": 1 and increase it with every update"},
             {"name", localized(profile_.name, profile_rules::kMaxNameLength),
              "give the team's name by language, e.g. {\"en\": \"Acme Support\"}"},
             {"server", [this](const Json& v, const std::string& p) { read_server(v, p); },
              "add {\"url\": \"https://...\"} with the team server's address"},
             {"appearance", [this](const Json& v, const std::string& p) { read_appearance(v, p); }},
             {"assistance", [this](const Json& v, const std::string& p) { read_assistance(v, p); },
              "assistance is on by default and needs its groups: add {\"groups\": [...]}, or "
              "{\"enabled\": false} to turn it off"},
             {"remote", [this](const Json& v, const std::string& p) { read_remote(v, p); },
              "remote support is on by default and needs its backends: add {\"backends\": "
              "[...]}, or {\"enabled\": false} to turn it off"},
             {"support", [this](const Json& v, const std::string& p) { read_support(v, p); }},
             {"languages", [this](const Json& v, const std::string& p) { read_languages(v, p); },
              "list the languages of the profile's texts, e.g. [\"en\", \"pt\"]"}});
        return take_problems();
    }

  private:
    using Rule = std::vector<std::string> (*)(std::string_view);

    /// A string field kept in `out` and checked by `rule`.
    ReadField checked_string(std::string& out, Rule rule) {
        return [this, &out, rule](const Json& v, const std::string& p) {
            const auto value = string_at(v, p);
            if (!value) return;
            report_all(p, rule(*value));
            out = *value;
        };
    }

    ReadField flag(bool& out) {
        return [this, &out](const Json& v, const std::string& p) {
            if (const auto value = boolean_at(v, p)) out = *value;
        };
    }

    ReadField integer(int& out, int min, int max, std::string_view unit) {
        return [this, &out, min, max, unit](const Json& v, const std::string& p) {
            if (const auto value = integer_in(v, p, min, max, unit)) out = static_cast<int>(*value);
        };
    }

    ReadField localized(LocalizedText& out, std::size_t max_length) {
        return [this, &out, max_length](const Json& v, const std::string& p) {
            read_localized(v, p, max_length, out);
        };
    }

    /// A group's or backend's id: checked, kept in `out`, and unique among the items of
    /// `list_path` (`first_use`: id -> index of the item that has it).
    ReadField item_id(std::string& out, std::string_view what, const std::string& list_path,
                      std::size_t index, std::map<std::string, std::size_t>& first_use) {
        return [=, this, &out, &first_use](const Json& v, const std::string& p) {
            const auto id = string_at(v, p);
            if (!id) return;
            report_all(p, profile_rules::check_item_id(*id, what));
            if (const auto [first, inserted] = first_use.emplace(*id, index); !inserted)
                report(p, fmt::format("{} is already used by {}", quote(*id),
                                      item_path(list_path, first->second)));
            out = *id;
        };
    }

    /// The languages come last in a profile but every text before them is checked against
    /// them, so they are looked at first (quietly: read_languages reports their problems).
    void note_languages(const Json& doc) {
        const auto found = doc.find("languages");
        if (found == doc.end() || !found->is_array()) return;
        for (const auto& entry : *found) {
            if (!entry.is_string()) continue;
            const auto& tag = entry.get_ref<const std::string&>();
            if (!profile_rules::is_language_tag(tag)) continue;
            const std::string normalized = normalize_language(tag);
            if (std::find(languages_.begin(), languages_.end(), normalized) != languages_.end())
                continue;
            languages_.push_back(normalized);
            language_list_.push_back(tag);
        }
    }

    /// "pt_BR" texts are covered by "pt_BR" or "pt" in languages.
    bool language_listed(const std::string& normalized) const {
        const auto listed = [&](const std::string& tag) {
            return std::find(languages_.begin(), languages_.end(), tag) != languages_.end();
        };
        return listed(normalized) || listed(normalized.substr(0, normalized.find('_')));
    }

    void read_localized(const Json& value, const std::string& path, std::size_t max_length,
                        LocalizedText& out) {
        if (!value.is_object()) {
            report(path, fmt::format("expected an object of texts by language such as "
                                     "{{\"en\": \"...\"}}, got {}",
                                     profile_json::describe(value, Kind::object)));
            return;
        }
        if (value.empty()) {
            report(path, "must have at least one text, e.g. {\"en\": \"...\"}");
            return;
        }
        std::vector<std::pair<std::string, std::string>> entries;
        std::map<std::string, std::string> keys_by_language;
        for (auto it = value.begin(); it != value.end(); ++it) {
            const std::string& key = it.key();
            const std::string text_path = child_path(path, key);
            if (!profile_rules::is_language_tag(key)) {
                report(text_path, profile_rules::bad_language_tag(key));
            } else {
                const std::string normalized = normalize_language(key);
                const auto [first, inserted] = keys_by_language.emplace(normalized, key);
                if (!inserted)
                    report(text_path, fmt::format("{} is the same language as {}; keep one of them",
                                                  quote(key), child_path(path, first->second)));
                else if (!languages_.empty() && !language_listed(normalized))
                    report(text_path,
                           fmt::format("language {} is not in languages: {}; add it to languages "
                                       "or remove this text",
                                       quote(key), profile_rules::join(language_list_)));
            }
            const auto text = string_at(it.value(), text_path);
            if (!text) continue;
            const auto length = profile_rules::count_characters(*text);
            if (text->empty())
                report(text_path, "the text is empty; write it or remove this language");
            else if (length > max_length)
                report(text_path, profile_rules::text_too_long("text", length, max_length));
            entries.emplace_back(key, *text);
        }
        out = LocalizedText(std::move(entries));
    }

    void read_schema(const Json& value, const std::string& path) {
        if (!expect(value, Kind::integer, path)) return;
        if (value != 1)
            report(path, fmt::format("schema {} is not supported: this client reads schema 1",
                                     value.dump()));
        if (value.is_number_integer() && value >= std::numeric_limits<int>::min() &&
            value <= std::numeric_limits<int>::max())
            profile_.schema = value.get<int>();
    }

    void read_server(const Json& value, const std::string& path) {
        if (!expect(value, Kind::object, path)) return;
        read_fields(value, path,
                    {{"url", checked_string(profile_.server.url, profile_rules::check_server_url),
                      "give the team server's address, e.g. \"https://support.example.com\""},
                     {"pins", [this](const Json& v, const std::string& p) { read_pins(v, p); }},
                     {"ca", checked_string(profile_.server.ca, profile_rules::check_ca)}});
    }

    void read_pins(const Json& value, const std::string& path) {
        if (!expect(value, Kind::array, path)) return;
        std::map<std::string, std::size_t> first_use;
        for (std::size_t i = 0; i < value.size(); ++i) {
            const std::string pin_path = item_path(path, i);
            const auto pin = string_at(value[i], pin_path);
            if (!pin) continue;
            report_all(pin_path, profile_rules::check_pin(*pin));
            if (const auto [first, inserted] = first_use.emplace(*pin, i); !inserted)
                report(pin_path, fmt::format("{} is already listed at {}; remove one", quote(*pin),
                                             item_path(path, first->second)));
            profile_.server.pins.push_back(*pin);
        }
    }

    void read_appearance(const Json& value, const std::string& path) {
        if (!expect(value, Kind::object, path)) return;
        auto& appearance = profile_.appearance;
        read_fields(value, path,
                    {{"logo", checked_string(appearance.logo, profile_rules::check_logo)},
                     {"accent", checked_string(appearance.accent, profile_rules::check_accent)},
                     {"welcome", localized(appearance.welcome, profile_rules::kMaxWelcomeLength)}});
    }

    void read_support(const Json& value, const std::string& path) {
        if (!expect(value, Kind::object, path)) return;
        auto& support = profile_.support;
        read_fields(value, path,
                    {{"email", checked_string(support.email, profile_rules::check_support_email),
                      "add the address customers write to, e.g. \"help@acme.example\""},
                     {"url", checked_string(support.url, profile_rules::check_support_url)}});
    }

    void read_assistance(const Json& value, const std::string& path) {
        if (!expect(value, Kind::object, path)) return;
        auto& assistance = profile_.assistance;
        const bool enabled = peek_enabled(value);
        read_fields(
            value, path,
            {{"enabled", flag(assistance.enabled)},
             {"groups", [&](const Json& v, const std::string& p) { read_groups(v, p, enabled); },
              enabled ? "list at least one group while assistance is enabled, or set "
                        "\"enabled\": false"
                      : ""},
             {"default_group",
              [&](const Json& v, const std::string& p) { read_default_group(value, v, p); }},
             {"default_priority",
              [&](const Json& v, const std::string& p) {
                  const auto name = one_of(v, p, as_list(kPriorityNames), "priorities");
                  if (const auto priority = parse_priority(name.value_or("")))
                      assistance.default_priority = *priority;
              }},
             {"customer_sets_priority", flag(assistance.customer_sets_priority)},
             {"subject",
              [&](const Json& v, const std::string& p) {
                  const auto name = one_of(v, p, as_list(kSubjectNames), "subject modes");
                  const auto found =
                      std::find(kSubjectNames.begin(), kSubjectNames.end(), name.value_or(""));
                  if (found != kSubjectNames.end())
                      assistance.subject = static_cast<SubjectMode>(found - kSubjectNames.begin());
              }},
             {"max_description", integer(assistance.max_description, kMinDescriptionLimit,
                                         kMaxDescriptionLimit, "characters")},
             {"attachments", [&](const Json& v, const std::string& p) {
                  if (!expect(v, Kind::object, p)) return;
                  auto& limits = assistance.attachments;
                  read_fields(
                      v, p,
                      {{"max_files", integer(limits.max_files, 0, kMaxAttachmentFiles, "files")},
                       {"max_total_mib", integer(limits.max_total_mib, kMinAttachmentTotalMib,
                                                 kMaxAttachmentTotalMib, "MiB")}});
              }}});
    }

    void read_groups(const Json& value, const std::string& path, bool enabled) {
        if (!expect(value, Kind::array, path)) return;
        if (value.empty() && enabled)
            report(path,
                   "must list at least one group while assistance is enabled; add a group or set "
                   "\"enabled\": false");
        if (value.size() > profile_rules::kMaxGroups)
            report(path, fmt::format("has {} groups; at most {} are allowed", value.size(),
                                     profile_rules::kMaxGroups));
        std::map<std::string, std::size_t> first_use;
        for (std::size_t i = 0; i < value.size(); ++i) {
            const std::string group_path = item_path(path, i);
            if (!expect(value[i], Kind::object, group_path)) continue;
            ProfileGroup group;
            read_fields(value[i], group_path,
                        {{"id", item_id(group.id, "group", path, i, first_use),
                          "give the group's id on the server, e.g. \"helpdesk\""},
                         {"name", localized(group.name, profile_rules::kMaxNameLength),
                          "give the name customers see, e.g. {\"en\": \"Help desk\"}"}});
            profile_.assistance.groups.push_back(std::move(group));
        }
    }

    /// Takes `assistance` whole: its groups may come after default_group.
    void read_default_group(const Json& assistance, const Json& value, const std::string& path) {
        const auto chosen = string_at(value, path);
        if (!chosen) return;
        profile_.assistance.default_group = *chosen;
        const auto groups = assistance.find("groups");
        if (groups == assistance.end() || !groups->is_array()) return;  // reported there
        std::vector<std::string_view> ids;
        for (const auto& group : *groups) {
            if (!group.is_object()) continue;
            const auto id = group.find("id");
            if (id == group.end() || !id->is_string()) continue;
            const std::string_view name = id->get_ref<const std::string&>();
            if (std::find(ids.begin(), ids.end(), name) == ids.end()) ids.push_back(name);
        }
        if (std::find(ids.begin(), ids.end(), *chosen) == ids.end())
            report(path, profile_rules::not_one_of(*chosen, "groups", ids));
    }

    void read_remote(const Json& value, const std::string& path) {
        if (!expect(value, Kind::object, path)) return;
        auto& remote = profile_.remote;
        const bool enabled = peek_enabled(value);
        read_fields(value, path,
                    {{"enabled", flag(remote.enabled)},
                     {"request_timeout_s", integer(remote.request_timeout_s, kMinRequestTimeoutS,
                                                   kMaxRequestTimeoutS, "seconds")},
                     {"backends",
                      [&](const Json& v, const std::string& p) { read_backends(v, p, enabled); },
                      enabled ? "list at least one backend while remote is enabled, or set "
                                "\"enabled\": false"
                              : ""}});
    }

    void read_backends(const Json& value, const std::string& path, bool enabled) {
        if (!expect(value, Kind::array, path)) return;
        if (value.empty() && enabled)
            report(path,
                   "must list at least one backend while remote is enabled; add a backend or set "
                   "\"enabled\": false");
        std::map<std::string, std::size_t> first_use;
        for (std::size_t i = 0; i < value.size(); ++i) {
            const std::string backend_path = item_path(path, i);
            if (!expect(value[i], Kind::object, backend_path)) continue;
            ProfileBackend backend;
            read_fields(
                value[i], backend_path,
                {{"id", item_id(backend.id, "backend", path, i, first_use),
                  "name the backend, e.g. \"x11vnc\""},
                 {"when",
                  [&](const Json& v, const std::string& p) {
                      const auto when = one_of(v, p, as_list(kSessionTypes), "session types");
                      if (when) backend.when = *when;
                  },
                  "say when to use this backend: x11, wayland, windows, none or any"},
                 {"argv",
                  [&](const Json& v, const std::string& p) { read_argv(v, p, backend.argv); },
                  "give the program and its arguments, e.g. [\"x11vnc\", \"-rfbport\", "
                  "\"{port}\"]"}});
            profile_.remote.backends.push_back(std::move(backend));
        }
    }

    void read_argv(const Json& value, const std::string& path, std::vector<std::string>& argv) {
        if (!expect(value, Kind::array, path)) return;
        if (value.empty())
            report(path,
                   "must have at least the program to run, e.g. [\"x11vnc\", \"-rfbport\", "
                   "\"{port}\"]");
        if (value.size() > profile_rules::kMaxArgvEntries)
            report(path, fmt::format("has {} entries; at most {} are allowed", value.size(),
                                     profile_rules::kMaxArgvEntries));
        for (std::size_t i = 0; i < value.size(); ++i) {
            const std::string arg_path = item_path(path, i);
            const auto arg = string_at(value[i], arg_path);
            if (!arg) continue;
            report_all(arg_path, profile_rules::check_argv_entry(*arg, i == 0));
            argv.push_back(*arg);
        }
    }

    void read_languages(const Json& value, const std::string& path) {
        if (!expect(value, Kind::array, path)) return;
        if (value.empty()) report(path, "must list at least one language, e.g. [\"en\"]");
        std::map<std::string, std::size_t> first_use;  // normalized tag -> index
        for (std::size_t i = 0; i < value.size(); ++i) {
            const std::string tag_path = item_path(path, i);
            const auto tag = string_at(value[i], tag_path);
            if (!tag) continue;
            profile_.languages.push_back(*tag);
            if (!profile_rules::is_language_tag(*tag)) {
                report(tag_path, profile_rules::bad_language_tag(*tag));
                continue;
            }
            const auto [first, inserted] = first_use.emplace(normalize_language(*tag), i);
            if (inserted) continue;
            const auto first_path = item_path(path, first->second);
            if (value[first->second] == *tag)
                report(tag_path,
                       fmt::format("{} is already listed at {}", quote(*tag), first_path));
            else
                report(tag_path, fmt::format("{} is the same language as {}; keep one of them",
                                             quote(*tag), first_path));
        }
    }

    Profile& profile_;
    std::vector<std::string> languages_;           ///< normalized, from note_languages()
    std::vector<std::string_view> language_list_;  ///< the same as written, for messages
};

}  // namespace

std::vector<ProfileProblem> parse_profile(const nlohmann::json& doc, Profile& profile) {
    // Read as an ordered_json like the text; nlohmann::json has already sorted the keys.
    return ProfileReader(profile).read(Json(doc));
}

std::vector<ProfileProblem> parse_profile_text(std::string_view text, Profile& profile) {
    std::vector<ProfileProblem> problems;
    const auto doc = profile_json::parse_text(text, problems);
    if (!doc) {
        profile = Profile{};
        return problems;
    }
    auto rest = ProfileReader(profile).read(*doc);
    problems.insert(problems.end(), std::make_move_iterator(rest.begin()),
                    std::make_move_iterator(rest.end()));
    return problems;
}

}  // namespace helpline
