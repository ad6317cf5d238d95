#pragma once
// The value rules of the branding profile (docs/profile.md) and the messages that explain
// them. Internal to helpline::shared: profile.cpp walks the JSON, this checks the values,
// so each rule can be read (and changed) in one place without JSON plumbing around it.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace helpline::profile_rules {

inline constexpr std::size_t kMaxNameLength = 200;
inline constexpr std::size_t kMaxWelcomeLength = 1000;
inline constexpr std::size_t kMaxGroups = 50;
inline constexpr std::size_t kMaxArgvEntries = 64;
inline constexpr std::size_t kMaxArgvEntryLength = 1024;

/// `parent.key`, or `parent["key"]` when the key is not a plain word.
std::string child_path(std::string_view parent, std::string_view key);
/// `parent[index]`.
std::string item_path(std::string_view parent, std::size_t index);

/// A value for a message: in double quotes, escaped, shortened when very long.
std::string quote(std::string_view value);
/// "a, b, c".
std::string join(const std::vector<std::string_view>& items);
/// Unicode code points in UTF-8 text: what people count as characters.
std::size_t count_characters(std::string_view utf8);

std::string unknown_field(std::string_view key, const std::vector<std::string_view>& allowed);
/// `"x" is not one of the {what}: a, b[; did you mean "b"?]`
std::string not_one_of(std::string_view value, std::string_view what,
                       const std::vector<std::string_view>& allowed);
std::string text_too_long(std::string_view what, std::size_t length, std::size_t max);

/// Each check_* returns what is wrong with the value (empty when nothing is).
std::vector<std::string> check_profile_id(std::string_view id);
/// Group ids and backend ids: [a-z0-9-]{2,40}. `what` is "group" or "backend".
std::vector<std::string> check_item_id(std::string_view id, std::string_view what);

/// "en", "pt_BR", "pt-BR": [a-z]{2,3} with an optional region of two capital letters.
bool is_language_tag(std::string_view tag);
std::string bad_language_tag(std::string_view tag);

std::vector<std::string> check_server_url(std::string_view url);
std::vector<std::string> check_pin(std::string_view pin);
/// One or more PEM "CERTIFICATE" blocks that OpenSSL can read, nothing else, at most kMaxCaSize.
std::vector<std::string> check_ca(std::string_view pem);
inline constexpr std::size_t kMaxCaSize = 64 * 1024;
std::vector<std::string> check_logo(std::string_view file_name);
std::vector<std::string> check_accent(std::string_view colour);
std::vector<std::string> check_support_email(std::string_view email);
std::vector<std::string> check_support_url(std::string_view url);
/// One entry of a backend's argv; the program (argv[0]) may hold no placeholder at all.
std::vector<std::string> check_argv_entry(std::string_view arg, bool is_program);

}  // namespace helpline::profile_rules
