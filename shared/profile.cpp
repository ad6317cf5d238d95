#include "shared/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "shared/profile_rules.h"

namespace helpline {

namespace {

constexpr std::array<std::string_view, 4> kPriorityNames = {"low", "medium", "high", "urgent"};
constexpr std::array<std::string_view, 3> kSubjectNames = {"hidden", "optional", "required"};
constexpr std::array<std::string_view, 4> kSessionTypes = {"x11", "wayland", "none", "any"};

}  // namespace

std::string_view to_string(Priority p) { return kPriorityNames.at(static_cast<std::size_t>(p)); }

std::optional<Priority> parse_priority(std::string_view s) {
    const auto found = std::find(kPriorityNames.begin(), kPriorityNames.end(), s);
    if (found == kPriorityNames.end()) return std::nullopt;
    return static_cast<Priority>(found - kPriorityNames.begin());
}

std::string_view to_string(SubjectMode m) { return kSubjectNames.at(static_cast<std::size_t>(m)); }

namespace {

using profile_rules::child_path;
using profile_rules::item_path;
using profile_rules::quote;

template <std::size_t N>
std::vector<std::string_view> as_list(const std::array<std::string_view, N>& names) {
    return {names.begin(), names.end()};
}

enum class Kind { string, integer, boolean, array, object };

std::string_view expected_name(Kind kind) {
    switch (kind) {
        case Kind::string: return "a string";
        case Kind::integer: return "an integer";
        case Kind::boolean: return "a boolean";
        case Kind::array: return "an array";
        case Kind::object: return "an object";
    }
    return "a value";
}

/// "-12", "60": text someone meant as a number but wrote in quotes.
bool is_integer_text(std::string_view s) {
    if (s.starts_with('-')) s.remove_prefix(1);
    return !s.empty() && s.size() <= 18 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <typename Json>
std::string describe(const Json& value, Kind expected) {
    if (value.is_null()) return "null";
    if (value.is_boolean()) return "a boolean";
    // 1.5 where an integer belongs is clearer shown than named.
    if (value.is_number_float()) return expected == Kind::integer ? value.dump() : "a number";
    if (value.is_number()) return "a number";
    if (value.is_string()) return "a string";
    if (value.is_array()) return "an array";
    if (value.is_object()) return "an object";
    return "an unsupported value";
}

template <typename Json>
bool has_kind(const Json& value, Kind kind) {
    switch (kind) {
        case Kind::string: return value.is_string();
        case Kind::integer: return value.is_number_integer();
        case Kind::boolean: return value.is_boolean();
        case Kind::array: return value.is_array();
        case Kind::object: return value.is_object();
    }
    return false;
}

template <typename Json>
std::string wrong_type(const Json& value, Kind expected) {
    std::string message =
        fmt::format("expected {}, got {}", expected_name(expected), describe(value, expected));
    if (value.is_string()) {
        const auto& text = value.template get_ref<const std::string&>();
        const bool quoted_literal =
            (expected == Kind::boolean && (text == "true" || text == "false")) ||
            (expected == Kind::integer && is_integer_text(text));
        if (quoted_literal) message += fmt::format("; write {} without quotes", text);
    }
    return message;
}

/// Walks a profile document in its own order, so that problems come out in document order
/// (with nlohmann::ordered_json; nlohmann::json sorts keys), reading what it can into the
/// Profile and reporting everything else.
template <typename Json>
class ProfileReader {
public:
    explicit ProfileReader(Profile& profile) : profile_(profile) {}

    std::vector<ProfileProblem> read(const Json& doc) {
        profile_ = Profile{};
        if (!expect(doc, Kind::object, "")) return std::move(problems_);
        note_languages(doc);
        read_fields(doc, "",
                    {{"schema", [this](const Json& v, const std::string& p) { read_schema(v, p); },
                      "add \"schema\": 1"},
                     {"id", [this](const Json& v, const std::string& p) { read_id(v, p); },
                      "add an id such as \"acme-support\" (it names the branded program)"},
                     {"revision",
                      [this](const Json& v, const std::string& p) {
                          if (auto n = integer_in(v, p, 1, kMaxInt64, "")) profile_.revision = *n;
                      },
                      "add \"revision\": 1 and increase it with every update"},
                     {"name",
                      [this](const Json& v, const std::string& p) {
                          read_localized(v, p, profile_rules::kMaxNameLength, profile_.name);
                      },
                      "give the team's name by language, e.g. {\"en\": \"Acme Support\"}"},
                     {"server", [this](const Json& v, const std::string& p) { read_server(v, p); },
                      "add {\"url\": \"https://...\"} with the team server's address"},
                     {"appearance",
                      [this](const Json& v, const std::string& p) { read_appearance(v, p); }},
                     {"assistance",
                      [this](const Json& v, const std::string& p) { read_assistance(v, p); }},
                     {"remote", [this](const Json& v, const std::string& p) { read_remote(v, p); }},
                     {"languages",
                      [this](const Json& v, const std::string& p) { read_languages(v, p); },
                      "list the languages of the profile's texts, e.g. [\"en\", \"pt\"]"}});
        return std::move(problems_);
    }

private:
    static constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();

    using ReadField = std::function<void(const Json&, const std::string&)>;
    struct Field {
        std::string_view name;
        ReadField read;
        std::string_view missing_hint = {};  ///< the field is required when this is set
    };

    void report(std::string path, std::string message) {
        problems_.push_back(ProfileProblem{std::move(path), std::move(message)});
    }

    void report_all(const std::string& path, std::vector<std::string> messages) {
        for (auto& message : messages) report(path, std::move(message));
    }

    bool expect(const Json& value, Kind kind, const std::string& path) {
        if (has_kind(value, kind)) return true;
        report(path, wrong_type(value, kind));
        return false;
    }

    std::optional<std::string> string_at(const Json& value, const std::string& path) {
        if (!expect(value, Kind::string, path)) return std::nullopt;
        return value.template get<std::string>();
    }

    std::optional<bool> boolean_at(const Json& value, const std::string& path) {
        if (!expect(value, Kind::boolean, path)) return std::nullopt;
        return value.template get<bool>();
    }

    /// An integer in [min, max]; `unit` ("seconds") goes into the message.
    std::optional<std::int64_t> integer_in(const Json& value, const std::string& path,
                                           std::int64_t min, std::int64_t max,
                                           std::string_view unit) {
        if (!expect(value, Kind::integer, path)) return std::nullopt;
        // Past int64 only as unsigned: compare before converting.
        const bool huge = value.is_number_unsigned() &&
                          value.template get<std::uint64_t>() > static_cast<std::uint64_t>(max);
        const std::int64_t n = huge ? max : value.template get<std::int64_t>();
        if (!huge && n >= min && n <= max) return n;
        if (max == kMaxInt64)
            report(path, huge ? fmt::format("must be at most {}, got {}", max, value.dump())
                              : fmt::format("must be {} or more, got {}", min, value.dump()));
        else
            report(path, fmt::format("must be between {} and {} {}, got {}", min, max, unit,
                                     value.dump()));
        return std::nullopt;
    }

    /// Reads an object's fields in document order; rejects unknown ones, then names the
    /// required ones that are missing.
    void read_fields(const Json& object, const std::string& path, const std::vector<Field>& fields) {
        std::vector<std::string_view> allowed;
        for (const auto& field : fields) allowed.push_back(field.name);
        for (auto it = object.begin(); it != object.end(); ++it) {
            const std::string& key = it.key();
            const std::string field_path = child_path(path, key);
            const auto field = std::find_if(fields.begin(), fields.end(),
                                            [&](const Field& f) { return f.name == key; });
            if (field == fields.end())
                report(field_path, profile_rules::unknown_field(key, allowed));
            else
                field->read(it.value(), field_path);
        }
        for (const auto& field : fields)
            if (!field.missing_hint.empty() && !object.contains(std::string(field.name)))
                report(child_path(path, field.name),
                       fmt::format("required field is missing; {}", field.missing_hint));
    }

    /// The languages come last in a profile but every text before them is checked against
    /// them, so they are looked at first (quietly; read_languages reports their problems).
    void note_languages(const Json& doc) {
        const auto found = doc.find("languages");
        if (found == doc.end() || !found->is_array()) return;
        for (const auto& entry : *found) {
            if (!entry.is_string()) continue;
            const auto& tag = entry.template get_ref<const std::string&>();
            if (!profile_rules::is_language_tag(tag)) continue;
            const std::string normalized = normalize_language(tag);
            if (std::find(languages_.begin(), languages_.end(), normalized) != languages_.end())
                continue;
            languages_.push_back(normalized);
            language_list_.push_back(tag);
        }
    }

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
                                     describe(value, Kind::object)));
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
            if (text->empty())
                report(text_path, "the text is empty; write it or remove this language");
            else if (const auto length = profile_rules::count_characters(*text); length > max_length)
                report(text_path, profile_rules::text_too_long("text", length, max_length));
            entries.emplace_back(key, *text);
        }
        out = LocalizedText(std::move(entries));
    }

    void read_schema(const Json& value, const std::string& path) {
        if (!expect(value, Kind::integer, path)) return;
        if (value != 1) {
            report(path, fmt::format("schema {} is not supported: this client reads schema 1",
                                     value.dump()));
            return;
        }
        profile_.schema = 1;
    }

    void read_id(const Json& value, const std::string& path) {
        const auto id = string_at(value, path);
        if (!id) return;
        report_all(path, profile_rules::check_profile_id(*id));
        profile_.id = *id;
    }

    void read_server(const Json& value, const std::string& path) {
        if (!expect(value, Kind::object, path)) return;
        auto& server = profile_.server;
        read_fields(value, path,
                    {{"url",
                      [&](const Json& v, const std::string& p) {
                          const auto url = string_at(v, p);
                          if (!url) return;
                          report_all(p, profile_rules::check_server_url(*url));
                          server.url = *url;
                      },
                      "give the team server's address, e.g. \"https://support.example.com\""},
                     {"pins", [&](const Json& v, const std::string& p) { read_pins(v, p); }}});
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
                    {{"logo",
                      [&](const Json& v, const std::string& p) {
                          const auto logo = string_at(v, p);
                          if (!logo) return;
                          report_all(p, profile_rules::check_logo(*logo));
                          appearance.logo = *logo;
                      }},
                     {"accent",
                      [&](const Json& v, const std::string& p) {
                          const auto accent = string_at(v, p);
                          if (!accent) return;
                          report_all(p, profile_rules::check_accent(*accent));
                          appearance.accent = *accent;
                      }},
                     {"welcome", [&](const Json& v, const std::string& p) {
                          read_localized(v, p, profile_rules::kMaxWelcomeLength,
                                         appearance.welcome);
                      }}});
    }

    /// `enabled` decides whether other fields are required, wherever it stands in the object.
    static bool peek_enabled(const Json& object) {
        const auto found = object.find("enabled");
        return found == object.end() || !found->is_boolean() || found->template get<bool>();
    }

    /// One of `names`, or a problem naming them all; `what` is their plural ("priorities").
    std::optional<std::string> one_of(const Json& value, const std::string& path,
                                      const std::vector<std::string_view>& names,
                                      std::string_view what) {
        auto chosen = string_at(value, path);
        if (!chosen) return std::nullopt;
        if (std::find(names.begin(), names.end(), *chosen) == names.end())
            report(path, profile_rules::not_one_of(*chosen, what, names));
        return chosen;
    }

    void read_assistance(const Json& value, const std::string& path) {
        if (!expect(value, Kind::object, path)) return;
        auto& assistance = profile_.assistance;
        const bool enabled = peek_enabled(value);
        read_fields(
            value, path,
            {{"enabled",
              [&](const Json& v, const std::string& p) {
                  if (const auto on = boolean_at(v, p)) assistance.enabled = *on;
              }},
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
             {"customer_sets_priority",
              [&](const Json& v, const std::string& p) {
                  if (const auto on = boolean_at(v, p)) assistance.customer_sets_priority = *on;
              }},
             {"subject",
              [&](const Json& v, const std::string& p) {
                  const auto name = one_of(v, p, as_list(kSubjectNames), "subject modes");
                  const auto found = std::find(kSubjectNames.begin(), kSubjectNames.end(),
                                               name.value_or(""));
                  if (found != kSubjectNames.end())
                      assistance.subject = static_cast<SubjectMode>(found - kSubjectNames.begin());
              }},
             {"max_description", [&](const Json& v, const std::string& p) {
                  if (const auto n = integer_in(v, p, kMinDescriptionLimit, kMaxDescriptionLimit,
                                                "characters"))
                      assistance.max_description = static_cast<int>(*n);
              }}});
    }

    void read_groups(const Json& value, const std::string& path, bool enabled) {
        if (!expect(value, Kind::array, path)) return;
        if (value.empty() && enabled)
            report(path, "must list at least one group while assistance is enabled; add a group "
                         "or set \"enabled\": false");
        if (value.size() > profile_rules::kMaxGroups)
            report(path, fmt::format("has {} groups; at most {} are allowed", value.size(),
                                     profile_rules::kMaxGroups));
        std::map<std::string, std::size_t> first_use;
        for (std::size_t i = 0; i < value.size(); ++i) {
            const std::string group_path = item_path(path, i);
            if (!expect(value[i], Kind::object, group_path)) continue;
            ProfileGroup group;
            read_fields(
                value[i], group_path,
                {{"id",
                  [&](const Json& v, const std::string& p) {
                      const auto id = string_at(v, p);
                      if (!id) return;
                      report_all(p, profile_rules::check_item_id(*id, "group"));
                      if (const auto [first, inserted] = first_use.emplace(*id, i); !inserted)
                          report(p, fmt::format("{} is already used by {}", quote(*id),
                                                item_path(path, first->second)));
                      group.id = *id;
                  },
                  "give the group's id on the server, e.g. \"helpdesk\""},
                 {"name",
                  [&](const Json& v, const std::string& p) {
                      read_localized(v, p, profile_rules::kMaxNameLength, group.name);
                  },
                  "give the name customers see, e.g. {\"en\": \"Help desk\"}"}});
            profile_.assistance.groups.push_back(std::move(group));
        }
    }

    /// `assistance` is passed whole: the groups may come after default_group.
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
            const std::string_view name = id->template get_ref<const std::string&>();
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
                    {{"enabled",
                      [&](const Json& v, const std::string& p) {
                          if (const auto on = boolean_at(v, p)) remote.enabled = *on;
                      }},
                     {"request_timeout_s",
                      [&](const Json& v, const std::string& p) {
                          if (const auto n = integer_in(v, p, kMinRequestTimeoutS,
                                                        kMaxRequestTimeoutS, "seconds"))
                              remote.request_timeout_s = static_cast<int>(*n);
                      }},
                     {"backends",
                      [&](const Json& v, const std::string& p) { read_backends(v, p, enabled); },
                      enabled ? "list at least one backend while remote is enabled, or set "
                                "\"enabled\": false"
                              : ""}});
    }

    void read_backends(const Json& value, const std::string& path, bool enabled) {
        if (!expect(value, Kind::array, path)) return;
        if (value.empty() && enabled)
            report(path, "must list at least one backend while remote is enabled; add a backend "
                         "or set \"enabled\": false");
        std::map<std::string, std::size_t> first_use;
        for (std::size_t i = 0; i < value.size(); ++i) {
            const std::string backend_path = item_path(path, i);
            if (!expect(value[i], Kind::object, backend_path)) continue;
            ProfileBackend backend;
            read_fields(
                value[i], backend_path,
                {{"id",
                  [&](const Json& v, const std::string& p) {
                      const auto id = string_at(v, p);
                      if (!id) return;
                      report_all(p, profile_rules::check_item_id(*id, "backend"));
                      if (const auto [first, inserted] = first_use.emplace(*id, i); !inserted)
                          report(p, fmt::format("{} is already used by {}", quote(*id),
                                                item_path(path, first->second)));
                      backend.id = *id;
                  },
                  "name the backend, e.g. \"x11vnc\""},
                 {"when",
                  [&](const Json& v, const std::string& p) {
                      const auto when = one_of(v, p, as_list(kSessionTypes), "session types");
                      if (when) backend.when = *when;
                  },
                  "say when to use this backend: x11, wayland, none or any"},
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
            report(path, "must have at least the program to run, e.g. [\"x11vnc\", \"-rfbport\", "
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
                report(tag_path, fmt::format("{} is already listed at {}", quote(*tag), first_path));
            else
                report(tag_path, fmt::format("{} is the same language as {}; keep one of them",
                                             quote(*tag), first_path));
        }
    }

    Profile& profile_;
    std::vector<ProfileProblem> problems_;
    std::vector<std::string> languages_;           ///< normalized, from note_languages()
    std::vector<std::string_view> language_list_;  ///< the same as written, for messages
};

/// Follows the parser's events to find keys given twice in one object: nlohmann keeps one
/// of them silently, and a signed profile must not mean different things to different
/// readers.
class DuplicateKeyFinder {
public:
    using Json = nlohmann::ordered_json;

    bool on_event(Json::parse_event_t event, const Json& parsed) {
        using Event = Json::parse_event_t;
        switch (event) {
            case Event::object_start:
            case Event::array_start:
                frames_.push_back(Frame{event == Event::array_start, 0, {}, {}, next_path()});
                break;
            case Event::key: {
                auto& frame = frames_.back();
                frame.key = parsed.get<std::string>();
                if (!frame.keys.insert(frame.key).second)
                    problems_.push_back(
                        {child_path(frame.path, frame.key),
                         "duplicate field; each field may appear only once in an object"});
                break;
            }
            case Event::object_end:
            case Event::array_end:
                frames_.pop_back();
                value_done();
                break;
            case Event::value: value_done(); break;
        }
        return true;
    }

    std::vector<ProfileProblem> take() { return std::move(problems_); }

private:
    struct Frame {
        bool array;
        std::size_t index;
        std::string key;
        std::set<std::string> keys;
        std::string path;
    };

    std::string next_path() const {
        if (frames_.empty()) return {};
        const auto& top = frames_.back();
        return top.array ? item_path(top.path, top.index) : child_path(top.path, top.key);
    }

    void value_done() {
        if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    }

    std::vector<Frame> frames_;
    std::vector<ProfileProblem> problems_;
};

/// nlohmann reports where parsing stopped as a byte count; people look for line and column.
ProfileProblem syntax_problem(std::string_view text, const nlohmann::json::parse_error& error) {
    const std::size_t offset = std::min(error.byte == 0 ? 0 : error.byte - 1, text.size());
    const auto before = text.substr(0, offset);
    const auto line = std::count(before.begin(), before.end(), '\n') + 1;
    const auto line_start = before.rfind('\n');
    const auto column = profile_rules::count_characters(before.substr(
                            line_start == std::string_view::npos ? 0 : line_start + 1)) +
                        1;
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: <reason>";
    // its own line and column count differently, so only the reason is kept.
    std::string_view reason = error.what();
    if (const auto at = reason.find("parse error"); at != std::string_view::npos) {
        if (const auto colon = reason.find(": ", at); colon != std::string_view::npos)
            reason.remove_prefix(colon + 2);
    }
    return {"", fmt::format("invalid JSON at line {}, column {}: {}", line, column, reason)};
}

}  // namespace

std::vector<ProfileProblem> parse_profile(const nlohmann::json& doc, Profile& profile) {
    return ProfileReader<nlohmann::json>(profile).read(doc);
}

std::vector<ProfileProblem> parse_profile_text(std::string_view text, Profile& profile) {
    DuplicateKeyFinder duplicates;
    nlohmann::ordered_json doc;
    try {
        doc = nlohmann::ordered_json::parse(
            text.begin(), text.end(),
            [&duplicates](int /*depth*/, nlohmann::ordered_json::parse_event_t event,
                          nlohmann::ordered_json& parsed) {
                return duplicates.on_event(event, parsed);
            });
    } catch (const nlohmann::json::parse_error& error) {
        profile = Profile{};
        return {syntax_problem(text, error)};
    }
    auto problems = duplicates.take();
    auto rest = ProfileReader<nlohmann::ordered_json>(profile).read(doc);
    problems.insert(problems.end(), std::make_move_iterator(rest.begin()),
                    std::make_move_iterator(rest.end()));
    return problems;
}

}  // namespace helpline
