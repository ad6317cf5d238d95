// The Windows command line built from an argv vector (client/core/command_line.h): every
// argument must come out of CommandLineToArgvW exactly as it went in. Plain string work, so
// it is tested here on every platform; the splitting below follows Microsoft's documented
// rules ("Parsing C++ command-line arguments"), as the C runtimes apply them.

#include "client/core/command_line.h"

#include <catch2/catch.hpp>

using namespace helpline::client;

namespace {

/// CommandLineToArgvW's splitting, for the arguments after the program's name.
std::vector<std::string> split_arguments(const std::string& line) {
    std::vector<std::string> args;
    std::size_t i = 0;
    // The program's name: up to the next quote when quoted, else to the first blank.
    if (i < line.size() && line[i] == '"') {
        const auto end = line.find('"', i + 1);
        i = end == std::string::npos ? line.size() : end + 1;
    } else {
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    }
    while (true) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i >= line.size()) break;
        std::string arg;
        bool quoted = false;
        while (i < line.size() && (quoted || (line[i] != ' ' && line[i] != '\t'))) {
            std::size_t backslashes = 0;
            while (i < line.size() && line[i] == '\\') {
                ++backslashes;
                ++i;
            }
            if (i < line.size() && line[i] == '"') {
                arg.append(backslashes / 2, '\\');
                if (backslashes % 2 == 1) {
                    arg += '"';
                } else if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
                    arg += '"';  // "" inside quotes: a literal quote
                    ++i;
                } else {
                    quoted = !quoted;
                }
                ++i;
            } else {
                arg.append(backslashes, '\\');
                if (i < line.size() && (quoted || (line[i] != ' ' && line[i] != '\t')))
                    arg += line[i++];
            }
        }
        args.push_back(arg);
    }
    return args;
}

}  // namespace

TEST_CASE("every argument survives the Windows command line as it was given") {
    const std::vector<std::string> argv = {
        "C:\\Program Files\\Helpline\\backend.exe",
        "plain",
        "",
        "two words",
        "tab\there",
        "say \"hi\"",
        "C:\\folder\\",
        "C:\\folder with space\\",
        "a\\\\b",
        "back\\\"slash",
        "\\\\server\\share",
        "ends with backslash quote\\\"",
        "ünïcödé ☃",
        "{password_file}",
    };
    auto line = windows_command_line(argv);
    REQUIRE(line);
    CHECK(line->rfind("\"C:\\Program Files\\Helpline\\backend.exe\" plain \"\" ", 0) == 0);
    const auto back = split_arguments(*line);
    REQUIRE(back.size() == argv.size() - 1);
    for (std::size_t i = 1; i < argv.size(); ++i) CHECK(back[i - 1] == argv[i]);
}

TEST_CASE("a program name without blanks is not quoted, and one with a quote is refused") {
    auto plain = windows_command_line({"C:\\x11vnc.exe", "-rfbport", "5900"});
    REQUIRE(plain);
    CHECK(*plain == "C:\\x11vnc.exe -rfbport 5900");
    CHECK_FALSE(windows_command_line({"C:\\a\"b.exe"}));
    CHECK_FALSE(windows_command_line({}));
}
