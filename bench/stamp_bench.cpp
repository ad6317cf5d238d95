// bench/stamp: stamping a 20 MB base executable vs. copying it, in one run.
// Target (DESIGN.md §10): median(stamp) / median(cp) ≤ 2.
//
// usage: stamp_bench HELPLINE_BRAND PROFILE_DIR [ITERATIONS] [SIZE_MB]

#include <fcntl.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "bench/bench_util.h"

namespace fs = std::filesystem;
using helpline::bench::median;
using helpline::bench::time_command;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: stamp_bench HELPLINE_BRAND PROFILE_DIR [ITERATIONS] [SIZE_MB]\n";
        return 2;
    }
    const std::string brand = argv[1];
    const std::string profile = argv[2];
    const int iterations = argc > 3 ? std::stoi(argv[3]) : 21;
    const int size_mb = argc > 4 ? std::stoi(argv[4]) : 20;

    char dir_template[] = "/tmp/helpline-stamp-bench-XXXXXX";
    const fs::path dir = ::mkdtemp(dir_template);
    const fs::path base = dir / "helpline";
    {
        std::ofstream out(base, std::ios::binary);
        out.write("\x7f" "ELF", 4);
        std::mt19937_64 rng(42);
        std::vector<std::uint64_t> block(1 << 16);
        for (std::size_t written = 4; written < static_cast<std::size_t>(size_mb) << 20;
             written += block.size() * 8) {
            for (auto& w : block) w = rng();
            out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size() * 8));
        }
    }
    time_command({brand, "keygen", "--out", (dir / "keys").string()});
    const std::string key = (dir / "keys/signing-key.pem").string();

    std::vector<double> copy, copy_fsync, stamp;
    for (int i = 0; i < iterations; ++i) {  // interleaved so drift hits all three alike
        copy.push_back(time_command({"cp", base.string(), (dir / "copy").string()}));
        copy_fsync.push_back(time_command({"dd", "if=" + base.string(), "of=" + (dir / "copy-fsync").string(),
                                           "bs=4M", "conv=fsync", "status=none"}));
        stamp.push_back(time_command({brand, "stamp", "--profile", profile, "--key", key, "--client",
                                      base.string(), "--out", (dir / "branded").string()}));
    }
    const double m_copy = median(copy), m_fsync = median(copy_fsync), m_stamp = median(stamp);
    std::printf("stamp benchmark: %d MB base, %d runs each, medians\n", size_mb, iterations);
    std::printf("  cp (baseline)          %8.2f ms\n", m_copy * 1e3);
    std::printf("  dd conv=fsync          %8.2f ms\n", m_fsync * 1e3);
    std::printf("  helpline-brand stamp   %8.2f ms\n", m_stamp * 1e3);
    std::printf("  ratio stamp / cp       %8.2f   (target <= 2)\n", m_stamp / m_copy);
    std::printf("  ratio stamp / cp+fsync %8.2f\n", m_stamp / m_fsync);
    fs::remove_all(dir);
    return 0;
}
