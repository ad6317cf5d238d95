#include "client/core/command_line.h"

#include <fmt/format.h>

namespace helpline::client {

namespace {

void append_quoted(std::string& line, const std::string& arg) {
    if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string::npos) {
        line += arg;
        return;
    }
    line += '"';
    std::size_t backslashes = 0;
    for (char c : arg) {
        if (c == '\\') {
            ++backslashes;
            continue;
        }
        // Backslashes are literal unless a quote follows: then each one is doubled and the
        // quote itself escaped.
        line.append(c == '"' ? backslashes * 2 + 1 : backslashes, '\\');
        line += c;
        backslashes = 0;
    }
    // Before the closing quote, backslashes are doubled so that it is not escaped.
    line.append(backslashes * 2, '\\');
    line += '"';
}

}  // namespace

Result<std::string> windows_command_line(const std::vector<std::string>& argv) {
    if (argv.empty())
        return make_error("spawn.argv", "No program to start: the argument list is empty.");
    const std::string& program = argv.front();
    if (program.find('"') != std::string::npos)
        return make_error("spawn.argv",
                          fmt::format("The program name {} contains a '\"', which a Windows "
                                      "command line cannot carry.",
                                      program),
                          program);
    std::string line;
    if (program.empty() || program.find_first_of(" \t") != std::string::npos)
        line = '"' + program + '"';
    else
        line = program;
    for (std::size_t i = 1; i < argv.size(); ++i) {
        line += ' ';
        append_quoted(line, argv[i]);
    }
    return line;
}

}  // namespace helpline::client
