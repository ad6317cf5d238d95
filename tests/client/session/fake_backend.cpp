// A stand-in for x11vnc in the launcher tests, started by the launcher from a profile argv.
// Options may come in any order; everything else on the command line is ignored (the tests
// put hostile arguments there and check they arrive verbatim).
//   --record FILE      write argv (NUL-separated) to FILE (temp file + rename: never partial)
//   --listen PORT      accept (and close) connections on 127.0.0.1:PORT until killed
//   --ignore-term      ignore SIGTERM (the launcher must fall back to SIGKILL)
//   --fork-child FILE  fork a child that stays in the process group; write its pid to FILE
//   --exit CODE        print a line to stderr and exit with CODE at once
//   --fds FILE         write the open descriptor numbers (from /proc/self/fd) to FILE
//   --signals FILE     write the SigBlk and SigIgn lines of /proc/self/status to FILE
//   --pid FILE         write its pid and process group id ("pid pgid") to FILE

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

void write_file(const std::string& path, const std::string& content) {
    const std::string temp = path + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << content;
    }
    std::rename(temp.c_str(), path.c_str());
}

std::string open_fds() {
    std::string list;
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) return list;
    const int own = ::dirfd(dir);
    while (const dirent* entry = ::readdir(dir)) {
        if (entry->d_name[0] == '.') continue;
        if (std::atoi(entry->d_name) == own) continue;
        list += std::string(entry->d_name) + "\n";
    }
    ::closedir(dir);
    return list;
}

[[noreturn]] void serve(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, 16) != 0) {
        std::perror("fake_backend: bind");
        std::exit(2);
    }
    while (true) {
        const int client = ::accept(fd, nullptr, nullptr);
        if (client >= 0) ::close(client);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv, argv + argc);
    const auto value = [&](std::size_t i) {
        return i + 1 < args.size() ? args[i + 1] : std::string();
    };
    int listen_port = -1;
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--record") {
            std::string all;
            for (const auto& a : args) all += a + '\0';
            write_file(value(i), all);
        } else if (args[i] == "--fds") {
            write_file(value(i), open_fds());
        } else if (args[i] == "--signals") {
            std::ifstream in("/proc/self/status");
            std::string line, found;
            while (std::getline(in, line))
                if (line.rfind("SigBlk:", 0) == 0 || line.rfind("SigIgn:", 0) == 0)
                    found += line + "\n";
            write_file(value(i), found);
        } else if (args[i] == "--pid") {
            write_file(value(i), std::to_string(::getpid()) + " " + std::to_string(::getpgrp()));
        } else if (args[i] == "--ignore-term") {
            ::signal(SIGTERM, SIG_IGN);
        } else if (args[i] == "--fork-child") {
            const pid_t child = ::fork();
            if (child == 0) {
                while (true) ::pause();
            }
            write_file(value(i), std::to_string(child));
        } else if (args[i] == "--exit") {
            std::fprintf(stderr, "fake_backend: exiting with %s as asked\n", value(i).c_str());
            return std::atoi(value(i).c_str());
        } else if (args[i] == "--listen") {
            listen_port = std::atoi(value(i).c_str());
        }
    }
    if (listen_port > 0) serve(listen_port);
    while (true) ::pause();
}
