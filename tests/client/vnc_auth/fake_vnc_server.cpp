// Stands in for wayvnc where helpline-vnc-auth's own behaviour is under test: an RFB 3.8
// server on the Unix socket given last, offering the security types of --types (default
// None), answering ClientInit with a 4×2 screen called "fake", then echoing every byte back.
// One connection at a time. --log FILE gets a line per event ("connect", "init", "closed");
// --fail TEXT prints TEXT and exits 3 at once (a backend that cannot start).
//
//   vnc_auth_fake_server [--types 1,19] [--log FILE] [--fail TEXT] SOCKET

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::string log_path;

void note(const char* event) {
    if (log_path.empty()) return;
    std::ofstream(log_path, std::ios::app) << event << '\n';
}

bool read_all(int fd, char* out, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::read(fd, out, size);
        if (n <= 0) return false;
        out += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

bool write_all(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

std::string be32(unsigned v) {
    return {static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xff),
            static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
}

void serve(int fd, const std::string& types) {
    char version[12];
    char choice = 0;
    if (!write_all(fd, "RFB 003.008\n") || !read_all(fd, version, 12) ||
        !write_all(fd, std::string(1, static_cast<char>(types.size())) + types) ||
        !read_all(fd, &choice, 1))
        return;
    if (choice != 1) {
        write_all(fd, be32(1) + be32(13) + "not supported");
        return;
    }
    char shared = 0;
    if (!write_all(fd, be32(0)) || !read_all(fd, &shared, 1)) return;
    note("init");
    // ServerInit: 4×2, 32 bpp, depth 24, little-endian, true colour, 255 each, 16/8/0.
    std::string init = std::string("\x00\x04\x00\x02\x20\x18\x00\x01\x00\xff\x00\xff\x00\xff", 14);
    init += std::string("\x10\x08\x00\x00\x00\x00", 6) + be32(4) + "fake";
    if (!write_all(fd, init)) return;
    char buffer[4096];
    while (true) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0 || !write_all(fd, std::string(buffer, static_cast<std::size_t>(n)))) return;
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string types(1, '\x01');
    std::string socket_path;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--types" && i + 1 < argc) {
            types.clear();
            std::string list = argv[++i];
            for (std::size_t at = 0; at <= list.size();) {
                std::size_t comma = list.find(',', at);
                if (comma == std::string::npos) comma = list.size();
                types.push_back(static_cast<char>(std::atoi(list.substr(at, comma - at).c_str())));
                at = comma + 1;
            }
        } else if (arg == "--log" && i + 1 < argc) {
            log_path = argv[++i];
        } else if (arg == "--fail" && i + 1 < argc) {
            std::fprintf(stderr, "fake server: %s\n", argv[++i]);
            return 3;
        } else {
            socket_path = arg;
        }
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket_path.empty() || socket_path.size() >= sizeof address.sun_path) {
        std::fprintf(stderr, "fake server: no usable socket path\n");
        return 2;
    }
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
    const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener, 4) != 0) {
        std::perror("fake server: bind");
        return 2;
    }
    std::printf("fake server listening on %s\n", socket_path.c_str());
    std::fflush(stdout);
    while (true) {
        const int fd = ::accept(listener, nullptr, nullptr);
        if (fd < 0) continue;
        note("connect");
        serve(fd, types);
        ::close(fd);
        note("closed");
    }
}
