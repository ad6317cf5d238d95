#include "server/api/password_rules.h"

#include <algorithm>
#include <fstream>
#include <unordered_set>

#include "server/http/problem.h"

namespace helpline::server {
namespace {

namespace fs = std::filesystem;

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// The list, lower-cased; lines starting with "# " are the file's comments.
const std::unordered_set<std::string>& common_passwords() {
    static const std::unordered_set<std::string> list = [] {
        std::unordered_set<std::string> out;
        const fs::path file = common_passwords_file();
        if (file.empty()) return out;
        std::ifstream in(file);
        std::string line;
        while (std::getline(in, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty() || line.rfind("# ", 0) == 0) continue;
            out.insert(lower_ascii(line));
        }
        return out;
    }();
    return list;
}

}  // namespace

fs::path common_passwords_file() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed =
            exe.parent_path().parent_path() / "share" / "helpline" / "common-passwords.txt";
        if (fs::is_regular_file(installed, ec)) return installed;
    }
    const fs::path source = fs::path(HELPLINE_DATA_SOURCE_DIR) / "common-passwords.txt";
    if (fs::is_regular_file(source, ec)) return source;
    return {};
}

std::size_t common_password_count() {
    return common_passwords().size();
}

std::optional<std::string> password_problem(std::string_view password) {
    if (code_points(password) < kMinPasswordLength)
        return "must be at least " + std::to_string(kMinPasswordLength) +
               " characters long; a few words that mean something only to you are easy to remember";
    if (common_passwords().count(lower_ascii(password)) != 0)
        return "is one of the most common passwords, which attackers try first; choose another";
    return std::nullopt;
}

std::optional<http::Response> refuse_password(std::string_view password, const std::string& field) {
    auto problem = password_problem(password);
    if (!problem) return std::nullopt;
    return http::problem(422, "The " + field + " " + *problem + ".", {{field, *problem}},
                         "urn:helpline:problem:validation");
}

}  // namespace helpline::server
