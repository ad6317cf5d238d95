#pragma once
// The rules every password set on the server follows (the CLI's `user add`, a password
// change, a reset, an invitation): at least 12 characters, and not one of the common
// passwords shipped with the server (docs/security.md). Hashing stays Argon2id (secrets.h).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "server/http/message.h"

namespace helpline::server {

inline constexpr std::size_t kMinPasswordLength = 12;

/// What is wrong with `password` as the end of a sentence about the field ("must be at
/// least 12 characters long"), or nullopt when it may be used. Length counts characters
/// (UTF-8 code points), not bytes; the common-password check ignores case.
std::optional<std::string> password_problem(std::string_view password);

/// The API's answer to a password that breaks the rules: 422 with
/// errors [{field, message}] (docs/protocol.md); nullopt when it may be used.
std::optional<http::Response> refuse_password(std::string_view password,
                                              const std::string& field = "password");

/// Where the list of common passwords is read from: BIN/../share/helpline/common-passwords.txt
/// next to the installed program, else the source tree's server/data (a build run in
/// place); empty when neither exists.
std::filesystem::path common_passwords_file();

/// How many common passwords were loaded (read once, on first use); 0 when the file is
/// missing, and then only the length is checked (the server warns at start).
std::size_t common_password_count();

}  // namespace helpline::server
