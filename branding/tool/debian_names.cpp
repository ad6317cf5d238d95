#include "branding/tool/debian_names.h"

#include <fmt/format.h>

namespace helpline::brand {
namespace {

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

}  // namespace

Status check_package_name(std::string_view name) {
    // Policy §5.6.1: at least two characters, lowercase letters, digits, '+', '-' and '.',
    // starting with a letter or digit.
    bool valid = name.size() >= 2 && is_lower_alnum(name.front());
    for (char c : name) valid = valid && (is_lower_alnum(c) || c == '+' || c == '-' || c == '.');
    if (!valid)
        return make_error(
            "package.name",
            fmt::format("the profile id \"{}\" cannot name a Debian package: Debian allows "
                        "lowercase letters, digits, '+', '-' and '.', at least two characters, "
                        "starting with a letter or digit. Change the profile's id.",
                        name),
            "id");
    if (name == "helpline" || name.starts_with("helpline-"))
        return make_error(
            "package.name",
            fmt::format("the profile id \"{}\" would name a package like Helpline's own "
                        "(helpline-*), which it could replace or be replaced by. Give the "
                        "profile an id of the team's own, such as \"acme-support\".",
                        name),
            "id");
    return Ok{};
}

Status check_base_version(std::string_view version) {
    bool valid = !version.empty() && version.front() >= '0' && version.front() <= '9';
    for (char c : version) valid = valid && (is_alnum(c) || c == '.' || c == '+' || c == '~');
    if (!valid)
        return make_error(
            "base.version",
            fmt::format("the client base's version \"{}\" is not a version such as \"0.1.0\" "
                        "(digits first, then letters, digits, '.', '+' or '~'). Use a client "
                        "base as the build makes it.",
                        version),
            "version");
    return Ok{};
}

}  // namespace helpline::brand
