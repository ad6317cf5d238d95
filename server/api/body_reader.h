#pragma once
// Reading JSON request bodies strictly: the content type must be JSON, the body an
// object, every field known and of the right type; all field errors are collected so the
// 400 answer names each bad field at once.

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/http/message.h"
#include "server/http/problem.h"
#include "shared/email.h"

namespace helpline::server::api {

enum class Need { required, optional };

class BodyReader {
public:
    BodyReader(const http::Request& request, std::initializer_list<std::string_view> allowed_fields);

    /// A 415/400 response when the body could not be read at all, else nullopt.
    const std::optional<http::Response>& failure() const { return failure_; }

    /// String field, trimmed of surrounding white space; errors when missing (required),
    /// not a string, empty (required) or longer than max_length characters.
    std::optional<std::string> string(const std::string& name, Need need, std::size_t max_length);
    std::optional<std::int64_t> integer(const std::string& name, Need need);
    std::optional<bool> boolean(const std::string& name, Need need);
    std::optional<std::vector<std::int64_t>> integer_array(const std::string& name, Need need);

    bool has(const std::string& name) const { return json_.contains(name); }
    bool is_null(const std::string& name) const { return has(name) && json_[name].is_null(); }
    const nlohmann::json& json() const { return json_; }

    void error(std::string field, std::string message);
    bool ok() const { return errors_.empty(); }
    /// 400 naming every bad field.
    http::Response problem() const;

private:
    const nlohmann::json* field(const std::string& name, Need need);
    nlohmann::json json_;
    std::optional<http::Response> failure_;
    std::vector<http::FieldError> errors_;
};

/// Nullopt when the request's Content-Type is JSON: the media type `application/json` in
/// any case, with parameters allowed (`charset` only as UTF-8, quoted or not); else the
/// 415 to answer, saying what to send.
std::optional<http::Response> unless_json_content(const http::Request& request);

/// A non-negative decimal integer made of digits only (no sign, space or trailing junk),
/// at most 18 of them; nullopt otherwise.
std::optional<std::int64_t> parse_decimal(std::string_view text);

/// A UUID as clients write their idempotency keys: 8-4-4-4-12 hexadecimal digits.
bool is_uuid(std::string_view s);

/// Plausible email: one '@', a non-empty local part, a dotted domain of letters, digits
/// and '-', no spaces; at most 254 characters.
using helpline::is_valid_email;  // shared/email.h
/// The domain of an email, lower-cased ("Ana@Acme.Example" -> "acme.example").
std::string email_domain(std::string_view email);

/// JSON response helpers.
http::Response json_response(int status, const nlohmann::json& body);
http::Response no_content();

}  // namespace helpline::server::api
