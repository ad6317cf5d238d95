#pragma once
// JSON plumbing for reading a profile: value kinds and the messages for wrong ones, objects
// read field by field (unknown and missing fields), keys given twice, syntax errors with
// line and column. Internal to helpline::shared; profile.cpp holds the profile's structure,
// profile_rules.h the rules for its values.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/profile.h"

namespace helpline::profile_json {

/// Profiles are read with keys in document order, so problems come out in that order.
using Json = nlohmann::ordered_json;

enum class Kind { string, integer, boolean, array, object };

/// What a value is, for "got ...": "a string", "null", or the value itself for 1.5 where an
/// integer belongs.
std::string describe(const Json& value, Kind expected);

/// Collects problems while reading JSON values of expected kinds.
class JsonReader {
  public:
    using ReadField = std::function<void(const Json& value, const std::string& path)>;
    struct Field {
        std::string_view name;
        ReadField read;
        std::string_view missing_hint = {};  ///< the field is required when this is set
    };

    void report(std::string path, std::string message);
    void report_all(const std::string& path, std::vector<std::string> messages);
    std::vector<ProfileProblem> take_problems() { return std::move(problems_); }

    /// True when `value` is of `kind`; otherwise reports "expected ..., got ...".
    bool expect(const Json& value, Kind kind, const std::string& path);
    std::optional<std::string> string_at(const Json& value, const std::string& path);
    std::optional<bool> boolean_at(const Json& value, const std::string& path);
    /// An integer in [min, max]; `unit` ("seconds") goes into the message.
    std::optional<std::int64_t> integer_in(const Json& value, const std::string& path,
                                           std::int64_t min, std::int64_t max,
                                           std::string_view unit);
    /// A string among `names`; `what` is their plural for the message ("priorities"). The
    /// string is returned even when it is not among them.
    std::optional<std::string> one_of(const Json& value, const std::string& path,
                                      const std::vector<std::string_view>& names,
                                      std::string_view what);

    /// Reads an object's fields in document order and rejects unknown ones, then names the
    /// required ones that are missing.
    void read_fields(const Json& object, const std::string& path, const std::vector<Field>& fields);

  private:
    std::vector<ProfileProblem> problems_;
};

/// Parses profile text. On a syntax error: no document, and one problem naming line and
/// column. Otherwise the document, with a problem for each key given twice in an object.
std::optional<Json> parse_text(std::string_view text, std::vector<ProfileProblem>& problems);

}  // namespace helpline::profile_json
