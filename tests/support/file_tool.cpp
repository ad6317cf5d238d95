// A small tool for tests that need binary files CMake scripts cannot write:
//   file_tool make-base FILE SIZE        an ELF-looking file of SIZE bytes
//   file_tool flip FILE OFFSET_FROM_END  xor one byte with 0x01
//   file_tool truncate FILE LENGTH
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: file_tool make-base|flip|truncate FILE N\n";
        return 2;
    }
    const std::string cmd = argv[1];
    const std::filesystem::path file = argv[2];
    const auto n = std::stoull(argv[3]);
    if (cmd == "make-base") {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        const char magic[4] = {0x7F, 'E', 'L', 'F'};
        out.write(magic, 4);
        for (unsigned long long i = 4; i < n; ++i) out.put(static_cast<char>((i * 31) & 0x7F));
        return out ? 0 : 1;
    }
    if (cmd == "flip") {
        std::fstream io(file, std::ios::binary | std::ios::in | std::ios::out);
        const auto size = std::filesystem::file_size(file);
        if (n == 0 || n > size) return 1;
        io.seekg(static_cast<std::streamoff>(size - n));
        char c = 0;
        io.get(c);
        io.seekp(static_cast<std::streamoff>(size - n));
        io.put(static_cast<char>(c ^ 0x01));
        return io ? 0 : 1;
    }
    if (cmd == "truncate") {
        std::filesystem::resize_file(file, n);
        return 0;
    }
    std::cerr << "unknown command " << cmd << '\n';
    return 2;
}
