#include "branding/tool/man_pages.h"

#include <fmt/format.h>

namespace helpline::brand {
namespace {

/// Text for roff: backslashes and hyphens escaped, no line starting with '.' or '\''.
std::string roff(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else if (c == '\n')
            out += ' ';
        else
            out += c;
    }
    if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

std::string header(const PackageInfo& info, const std::string& program,
                   const std::string& summary) {
    return fmt::format(
        ".TH {} 1 {} \"{} {}\" \"User Commands\"\n"
        ".SH NAME\n{} \\- {}\n",
        roff(upper(program)), utc_time(info.mtime, "%Y-%m-%d"), roff(info.id), roff(info.version),
        roff(program), roff(summary));
}

std::string support(const PackageInfo& info) {
    const Profile& p = *info.profile;
    std::string out = fmt::format(".SH SUPPORT\nWrite to {}", roff(p.support.email));
    if (!p.support.url.empty()) out += fmt::format(" or see {}", roff(p.support.url));
    return out + ".\n";
}

}  // namespace

std::string gui_man_page(const PackageInfo& info) {
    const Profile& p = *info.profile;
    std::string out = header(info, info.id, "ask " + info.name + " for help");
    fmt::format_to(
        std::back_inserter(out),
        ".SH SYNOPSIS\n"
        ".B {0}\n"
        ".RB [ \\-\\-lang\n"
        ".IR language ]\n"
        ".RB [ \\-\\-check\\-brand ]\n"
        ".SH DESCRIPTION\n"
        ".B {0}\n"
        "puts you in touch with {1}: ask for help from this computer and, when you allow it,\n"
        "let an operator see your screen (through x11vnc). It is the Helpline client branded\n"
        "for {1}; it checks its own branding before it starts.\n",
        roff(info.id), roff(info.name));
    if (!p.appearance.welcome.empty())
        fmt::format_to(std::back_inserter(out), ".PP\n{}\n", roff(p.appearance.welcome.get("en")));
    fmt::format_to(
        std::back_inserter(out),
        ".SH OPTIONS\n"
        ".TP\n"
        ".BI \\-\\-lang \" language\"\n"
        "Show the window in this language (en, pt, pt_BR or it) instead of the system's.\n"
        ".TP\n"
        ".B \\-\\-check\\-brand\n"
        "Verify the program's branding, print it and exit.\n"
        ".TP\n"
        ".B \\-\\-version\n"
        "Print the version and exit.\n"
        ".SH EXIT STATUS\n"
        "0 success (also when it already runs: its window comes to the front), 1 failure,\n"
        "2 usage error, 3 not branded, 4 damaged or untrusted branding.\n"
        ".SH SEE ALSO\n"
        ".BR {}\\-cli (1)\n",
        roff(info.id));
    return out + support(info);
}

std::string cli_man_page(const PackageInfo& info) {
    std::string out =
        header(info, info.id + "-cli", "ask " + info.name + " for help from a terminal");
    fmt::format_to(
        std::back_inserter(out),
        ".SH SYNOPSIS\n"
        ".B {0}\\-cli\n"
        ".RI [ options ] \" command \" [ options ]\n"
        ".SH DESCRIPTION\n"
        ".B {0}\\-cli\n"
        "is the terminal client of {1}, the same as\n"
        ".BR {0} (1)\n"
        "without a window. Run\n"
        ".B {0}\\-cli\n"
        ".I command\n"
        ".B \\-\\-help\n"
        "for a command's options.\n"
        ".SH COMMANDS\n"
        ".TP\n"
        ".B request\n"
        "Ask for assistance; prints your request number.\n"
        ".TP\n"
        ".B requests\n"
        "List your requests with their status.\n"
        ".TP\n"
        ".B listen\n"
        "Wait for an operator's connection request and answer it.\n"
        ".TP\n"
        ".B status\n"
        "Show the profile in force, the server and queued requests.\n"
        ".SH OPTIONS\n"
        ".TP\n"
        ".B \\-\\-check\\-brand\n"
        "Verify the program's branding, print it and exit.\n"
        ".TP\n"
        ".BR \\-v \", \" \\-\\-verbose\n"
        "Also print the client's log lines on standard error.\n"
        ".TP\n"
        ".B \\-\\-version\n"
        "Print the version and exit.\n"
        ".SH EXIT STATUS\n"
        "0 success, 1 refused by the server or another failure, 2 usage error or invalid\n"
        "field, 3 not branded, 4 damaged or untrusted branding, 5 saved and queued (the\n"
        "server cannot be reached), 6 connection request declined.\n"
        ".SH SEE ALSO\n"
        ".BR {0} (1)\n",
        roff(info.id), roff(info.name));
    return out + support(info);
}

}  // namespace helpline::brand
