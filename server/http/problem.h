#pragma once
// application/problem+json responses (RFC 9457), the shape of every error:
// {"type","title","status","detail","errors":[{"field","message"}]}.

#include <string>
#include <vector>

#include "server/http/message.h"

namespace helpline::server::http {

struct FieldError {
    std::string field;
    std::string message;
};

/// A problem response; `type` is "about:blank" unless given (then a URN like
/// "urn:helpline:problem:validation").
Response problem(int status, std::string detail, std::vector<FieldError> errors = {},
                 std::string type = {});

/// A problem with a stable `code` member ("admins_only", "group_offered", ...): refusals a
/// client must explain to people in its own words carry one, since `detail` is free text.
/// The type is "urn:helpline:problem:<code>".
Response coded_problem(int status, std::string code, std::string detail,
                       std::vector<FieldError> errors = {});

/// The standard title for a status code ("Not Found").
std::string_view status_title(int status);

}  // namespace helpline::server::http
