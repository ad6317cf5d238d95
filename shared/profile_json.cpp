#include "shared/profile_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <set>

#include "shared/profile_rules.h"

namespace helpline::profile_json {
namespace {

using profile_rules::child_path;
using profile_rules::item_path;

std::string_view expected_name(Kind kind) {
    switch (kind) {
        case Kind::string:
            return "a string";
        case Kind::integer:
            return "an integer";
        case Kind::boolean:
            return "a boolean";
        case Kind::array:
            return "an array";
        case Kind::object:
            return "an object";
    }
    return "a value";
}

bool has_kind(const Json& value, Kind kind) {
    switch (kind) {
        case Kind::string:
            return value.is_string();
        case Kind::integer:
            return value.is_number_integer();
        case Kind::boolean:
            return value.is_boolean();
        case Kind::array:
            return value.is_array();
        case Kind::object:
            return value.is_object();
    }
    return false;
}

/// "-12", "60": text someone meant as a number but wrote in quotes.
bool is_integer_text(std::string_view s) {
    if (s.starts_with('-')) s.remove_prefix(1);
    return !s.empty() && s.size() <= 18 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string wrong_type(const Json& value, Kind expected) {
    std::string message =
        fmt::format("expected {}, got {}", expected_name(expected), describe(value, expected));
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        const bool quoted_literal =
            (expected == Kind::boolean && (text == "true" || text == "false")) ||
            (expected == Kind::integer && is_integer_text(text));
        if (quoted_literal) message += fmt::format("; write {} without quotes", text);
    }
    return message;
}

/// Follows the parser's events to find keys given twice in one object: nlohmann keeps one
/// of them silently, and a signed profile must not mean different things to different
/// readers.
class DuplicateKeyFinder {
  public:
    explicit DuplicateKeyFinder(std::vector<ProfileProblem>& problems) : problems_(problems) {}

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
            case Event::value:
                value_done();
                break;
        }
        return true;
    }

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
    std::vector<ProfileProblem>& problems_;
};

/// nlohmann reports where parsing stopped as a byte count; people look for line and column.
ProfileProblem syntax_problem(std::string_view text, const Json::parse_error& error) {
    const std::size_t offset = std::min(error.byte == 0 ? 0 : error.byte - 1, text.size());
    const auto before = text.substr(0, offset);
    const auto line = std::count(before.begin(), before.end(), '\n') + 1;
    const auto line_start = before.rfind('\n');
    const auto column = profile_rules::count_characters(before.substr(
                            line_start == std::string_view::npos ? 0 : line_start + 1)) +
                        1;
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: <reason>";
    // its own column counts bytes, so only the reason is kept.
    std::string_view reason = error.what();
    if (const auto at = reason.find("parse error"); at != std::string_view::npos) {
        if (const auto colon = reason.find(": ", at); colon != std::string_view::npos)
            reason.remove_prefix(colon + 2);
    }
    return {"", fmt::format("invalid JSON at line {}, column {}: {}", line, column, reason)};
}

}  // namespace

std::string describe(const Json& value, Kind expected) {
    if (value.is_null()) return "null";
    if (value.is_boolean()) return "a boolean";
    if (value.is_number_float()) return expected == Kind::integer ? value.dump() : "a number";
    if (value.is_number()) return "a number";
    if (value.is_string()) return "a string";
    if (value.is_array()) return "an array";
    if (value.is_object()) return "an object";
    return "an unsupported value";
}

void JsonReader::report(std::string path, std::string message) {
    problems_.push_back(ProfileProblem{std::move(path), std::move(message)});
}

void JsonReader::report_all(const std::string& path, std::vector<std::string> messages) {
    for (auto& message : messages) report(path, std::move(message));
}

bool JsonReader::expect(const Json& value, Kind kind, const std::string& path) {
    if (has_kind(value, kind)) return true;
    report(path, wrong_type(value, kind));
    return false;
}

std::optional<std::string> JsonReader::string_at(const Json& value, const std::string& path) {
    if (!expect(value, Kind::string, path)) return std::nullopt;
    return value.get<std::string>();
}

std::optional<bool> JsonReader::boolean_at(const Json& value, const std::string& path) {
    if (!expect(value, Kind::boolean, path)) return std::nullopt;
    return value.get<bool>();
}

std::optional<std::int64_t> JsonReader::integer_in(const Json& value, const std::string& path,
                                                   std::int64_t min, std::int64_t max,
                                                   std::string_view unit) {
    if (!expect(value, Kind::integer, path)) return std::nullopt;
    // Past int64 a JSON integer is only an unsigned one: compare before converting.
    const bool huge =
        value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max);
    const std::int64_t n = huge ? max : value.get<std::int64_t>();
    if (!huge && n >= min && n <= max) return n;
    if (max == std::numeric_limits<std::int64_t>::max())
        report(path, huge ? fmt::format("must be at most {}, got {}", max, value.dump())
                          : fmt::format("must be {} or more, got {}", min, value.dump()));
    else
        report(path,
               fmt::format("must be between {} and {} {}, got {}", min, max, unit, value.dump()));
    return std::nullopt;
}

std::optional<std::string> JsonReader::one_of(const Json& value, const std::string& path,
                                              const std::vector<std::string_view>& names,
                                              std::string_view what) {
    auto chosen = string_at(value, path);
    if (chosen && std::find(names.begin(), names.end(), *chosen) == names.end())
        report(path, profile_rules::not_one_of(*chosen, what, names));
    return chosen;
}

void JsonReader::read_fields(const Json& object, const std::string& path,
                             const std::vector<Field>& fields) {
    std::vector<std::string_view> allowed;
    allowed.reserve(fields.size());
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

std::optional<Json> parse_text(std::string_view text, std::vector<ProfileProblem>& problems) {
    // nlohmann reads a NUL byte as the end of the text; JSON never holds one.
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        problems.assign({{"", fmt::format("invalid JSON: a NUL byte at byte {} (JSON text never holds one; "
                                          "is this a JSON file?)",
                                          nul + 1)}});
        return std::nullopt;
    }
    DuplicateKeyFinder duplicates(problems);
    try {
        return Json::parse(text.begin(), text.end(),
                           [&duplicates](int /*depth*/, Json::parse_event_t event, Json& parsed) {
                               return duplicates.on_event(event, parsed);
                           });
    } catch (const Json::parse_error& error) {
        problems.assign({syntax_problem(text, error)});
        return std::nullopt;
    } catch (const Json::out_of_range& error) {
        // A number too large for a double (1E999): nlohmann says which, not where.
        std::string_view reason = error.what();
        if (const auto at = reason.find("] "); at != std::string_view::npos) reason.remove_prefix(at + 2);
        problems.assign({{"", fmt::format("invalid JSON: {}", reason)}});
        return std::nullopt;
    }
}

}  // namespace helpline::profile_json
